/**
 * The Cookie headers the seeded browsers send once they have opened a page: each seeded session's
 * header plus every cookie the app set on a first GET of `path` (the CSRF cookie of its forms, say).
 * A browser sends those back on every later request; a load that never did would make the app mint a
 * new CSRF token and cookie on every page, which no real signed-in visitor costs it.
 */
export async function cookiesAfterFirstVisit(baseUrl: string, path: string, cookieHeaders: string[]): Promise<string[]> {
  const out = new Array<string>(cookieHeaders.length);
  let next = 0;
  const visit = async () => {
    for (let i = next++; i < cookieHeaders.length; i = next++) {
      const res = await fetch(`${baseUrl}${path}`, { headers: { cookie: cookieHeaders[i]! }, redirect: "manual" });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`GET ${path} with seeded session ${i + 1} answered ${res.status}`);
      out[i] = merged(cookieHeaders[i]!, res.headers.getSetCookie());
    }
  };
  // A few at a time: this runs before any measurement, and ten parallel visits finish 1,000 in seconds.
  await Promise.all(Array.from({ length: 10 }, visit));
  return out;
}

/** `header` with each Set-Cookie's name=value added, replacing a cookie of the same name. */
function merged(header: string, setCookies: string[]): string {
  const jar = new Map<string, string>();
  for (const pair of header.split(";").map((p) => p.trim()).filter(Boolean)) jar.set(pair.split("=")[0]!, pair);
  for (const line of setCookies) {
    const pair = line.split(";")[0]!.trim();
    if (pair.includes("=")) jar.set(pair.split("=")[0]!, pair);
  }
  return [...jar.values()].join("; ");
}
