import assert from "node:assert/strict";

export interface Page {
  status: number;
  location: string | null;
  html: string;
  headers: Headers;
}

/**
 * A cookie-keeping HTTP client that talks to the app like a browser without JavaScript would:
 * it reads the CSRF token from the page that holds the form and posts the form back.
 */
export class TestClient {
  private cookies = new Map<string, string>();

  constructor(private readonly baseUrl: string, private readonly userAgent = "Mozilla/5.0 (X11; Linux x86_64) TestClient/1.0") {}

  /** GET a path (redirects are not followed). */
  get(path: string): Promise<Page> {
    return this.request("GET", path);
  }

  /** POST urlencoded fields to a path as is (no CSRF token added). */
  postRaw(path: string, fields: Record<string, string>): Promise<Page> {
    return this.request("POST", path, new URLSearchParams(fields).toString());
  }

  /**
   * Loads `pagePath`, takes the CSRF token of its form whose action is `action` (default: the
   * page's path), and posts `fields` with it.
   */
  async submit(pagePath: string, fields: Record<string, string>, action?: string): Promise<Page> {
    const page = await this.get(pagePath);
    assert.equal(page.status, 200, `GET ${pagePath} answered ${page.status}`);
    const target = action ?? new URL(pagePath, this.baseUrl).pathname;
    const token = csrfTokenFor(page.html, target);
    return this.postRaw(target, { _csrf: token, ...fields });
  }

  /**
   * Like `submit`, then follows the redirect the moment its headers arrive, without waiting for the
   * rest of the response, as browsers and HTTP clients that follow redirects do. Returns the page
   * the redirect leads to.
   */
  async submitAndFollow(pagePath: string, fields: Record<string, string>, action?: string): Promise<Page> {
    const page = await this.get(pagePath);
    assert.equal(page.status, 200, `GET ${pagePath} answered ${page.status}`);
    const target = action ?? new URL(pagePath, this.baseUrl).pathname;
    const body = new URLSearchParams({ _csrf: csrfTokenFor(page.html, target), ...fields }).toString();
    const res = await this.request("POST", target, body, {}, { waitForBody: false });
    assert.equal(res.status, 302, `POST ${target} answered ${res.status}`);
    return this.get(res.location!);
  }

  /** The value of a cookie this client holds, if any. */
  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** Drops every cookie (like closing the browser). */
  clearCookies(): void {
    this.cookies.clear();
  }

  /** Sets a cookie by hand (for attacker-side tests). */
  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  /** One request; with `waitForBody: false` it returns when the headers are in (the body is dropped). */
  async request(method: string, path: string, body?: string, extraHeaders: Record<string, string> = {}, opts = { waitForBody: true }): Promise<Page> {
    const headers: Record<string, string> = { "user-agent": this.userAgent, ...extraHeaders };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (body !== undefined) headers["content-type"] ??= "application/x-www-form-urlencoded";
    const res = await fetch(new URL(path, this.baseUrl), { method, headers, body, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const html = opts.waitForBody ? await res.text() : (void res.body?.cancel(), "");
    return { status: res.status, location: res.headers.get("location"), html, headers: res.headers };
  }
}

/** The CSRF token inside the form that posts to `action`. */
export function csrfTokenFor(html: string, action: string): string {
  const forms = html.split(/<form\b/i).slice(1);
  const form = forms.find((f) => new RegExp(`action="${escapeRegExp(action)}"`).test(f.slice(0, f.indexOf(">"))));
  assert.ok(form, `no form posting to ${action} on the page`);
  const match = form.match(/name="_csrf" value="([^"]+)"/);
  assert.ok(match, `form posting to ${action} has no CSRF token`);
  return match[1]!;
}

function escapeRegExp(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The text of the field error under `name`, if any. */
export function fieldError(html: string, name: string): string | undefined {
  const m = html.match(new RegExp(`id="field-${name}-error">([^<]*)<`));
  return m?.[1]?.trim();
}

/** The value attribute of the input named `name`, if any. */
export function inputValue(html: string, name: string): string | undefined {
  const m = html.match(new RegExp(`name="${name}"[^>]*value="([^"]*)"`));
  return m?.[1];
}

/** The CSRF token of a page: every form of one response carries the same one. Fails when the page has none. */
export function pageCsrfToken(html: string): string {
  const match = html.match(/name="_csrf" value="([^"]+)"/);
  assert.ok(match, "no CSRF token on the page");
  return match[1]!;
}

/** The username the client is signed in as (from the user menu of a settings page), or undefined when signed out. */
export async function signedInAs(client: TestClient): Promise<string | undefined> {
  const page = await client.get("/settings/profile");
  if (page.status !== 200) return undefined;
  return page.html.match(/Signed in as <strong>([^<]+)<\/strong>/)?.[1];
}
