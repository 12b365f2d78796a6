const API_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** The length of the window DescribeVodRefreshTasks can query. */
export const QUERY_WINDOW_MS = 3 * 24 * 60 * 60 * 1000;

/** Formats epoch milliseconds as the API's `yyyy-MM-ddTHH:mm:ssZ` (UTC, milliseconds dropped). */
export function formatApiTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Parses the API's `yyyy-MM-ddTHH:mm:ssZ`; returns null for anything else, including impossible dates. */
export function parseApiTime(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const m = API_TIME.exec(text);
  if (!m) return null;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls 2024-02-30 over to March; the API would not send it, so refuse it.
  if (formatApiTime(ms) !== text) return null;
  return ms;
}
