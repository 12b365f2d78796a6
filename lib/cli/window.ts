import { localTime } from '../time';
import { WINDOW_EDGE_MARGIN_MS } from '../vod/params';
import { QUERY_WINDOW_MS } from '../vod/time';
import { parseWhen, WhenError } from './format';
import { CliError, EXIT } from './printer';

/** A time window to list, and what was changed to fit the API's 3 days. */
export interface Window {
  readonly startMs: number;
  readonly endMs: number;
  readonly notes: string[];
}

/**
 * The window of `--since` and `--until` (default now), checked against what DescribeVodRefreshTasks answers: the last
 * 3 days. A start before that is moved to its edge (with a note); an end before it, or a start not before the end, is
 * refused (exit 2).
 */
export function windowOf(since: string, until: string | undefined, nowMs: number): Window {
  let startMs: number;
  let endMs: number;
  try {
    startMs = parseWhen('--since', since, nowMs);
    endMs = until === undefined ? nowMs : parseWhen('--until', until, nowMs);
  } catch (err) {
    if (err instanceof WhenError) throw new CliError(EXIT.usage, err.message, { cause: err });
    throw err;
  }
  const notes: string[] = [];
  const edge = nowMs - QUERY_WINDOW_MS + WINDOW_EDGE_MARGIN_MS;
  if (endMs > nowMs) {
    notes.push(`--until is in the future; listing up to now (${localTime(nowMs)})`);
    endMs = nowMs;
  }
  if (endMs <= edge) throw new CliError(EXIT.usage, `--until ${localTime(endMs)} is older than the 3 days the API keeps; use a later time, e.g. --until 1h`);
  if (startMs < edge) {
    if (startMs < nowMs - QUERY_WINDOW_MS - 1000) notes.push(`--since is older than the 3 days the API keeps; listing from ${localTime(edge)}`);
    startMs = edge;
  }
  if (startMs >= endMs) throw new CliError(EXIT.usage, `--since (${localTime(startMs)}) must be before --until (${localTime(endMs)})`);
  return { startMs, endMs, notes };
}
