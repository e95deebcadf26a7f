import type autocannon from "autocannon";

/**
 * One GET that sends the next of `values` in `header` on every request, across all connections,
 * so the load walks over many sessions or tokens instead of hammering one cached row.
 */
export function rotatingGet(path: string, rotate?: { header: string; values: string[] }): autocannon.Request[] {
  if (!rotate || rotate.values.length === 0) return [{ method: "GET", path }];
  const { header, values } = rotate;
  let next = 0;
  return [
    {
      method: "GET",
      path,
      setupRequest: (req) => {
        req.headers = { ...req.headers, [header]: values[next++ % values.length] };
        return req;
      },
    },
  ];
}
