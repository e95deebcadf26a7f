import { db, type Executor } from "./knex";

/** Requests counted in one process for one key and window, not yet added to the table. */
export interface ApiRequestCountDelta {
  key: string;
  windowStart: Date;
  count: number;
}

/** A key's total for a window across every process, as the table holds it after an addition. */
export interface ApiRequestCountTotal {
  key: string;
  windowStart: Date;
  total: number;
}

/**
 * Adds the deltas to their (window, key) rows in one statement and returns each row's new total,
 * which includes what every other process has added so far. Rows are inserted in primary-key order,
 * so two processes adding overlapping keys take the row locks in the same order and cannot deadlock.
 * Each (window, key) must appear once in `deltas` (a row cannot be updated twice by one statement).
 */
export async function addApiRequestCounts(deltas: ApiRequestCountDelta[], q: Executor = db): Promise<ApiRequestCountTotal[]> {
  if (deltas.length === 0) return [];
  const { rows } = await q.raw<{ rows: { key: string; window_start: Date; count: number }[] }>(
    `INSERT INTO api_request_counts AS c (window_start, key, count)
     SELECT d.window_start, d.key, d.count
       FROM unnest(?::timestamptz[], ?::text[], ?::integer[]) AS d(window_start, key, count)
      ORDER BY d.window_start, d.key
     ON CONFLICT (window_start, key) DO UPDATE SET count = c.count + excluded.count
     RETURNING c.window_start, c.key, c.count`,
    [deltas.map((d) => d.windowStart.toISOString()), deltas.map((d) => d.key), deltas.map((d) => d.count)],
  );
  return rows.map((r) => ({ key: r.key, windowStart: r.window_start, total: r.count }));
}

/** Deletes the counts of windows that started before `windowStart`. */
export async function deleteApiRequestCountsBefore(windowStart: Date, q: Executor = db): Promise<void> {
  await q("api_request_counts").where("window_start", "<", windowStart).delete();
}
