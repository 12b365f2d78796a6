import { failureClass } from '../../vod/descriptions';
import type { RefreshTask } from '../../vod/types';

/** Failures counted, not listed (a first run's history): how many, by Description and by type, and when. */
export interface History {
  count: number;
  byDescription: Record<string, number>;
  byType: Record<string, number>;
  sinceMs: number;
  untilMs: number;
}

/** An empty count. */
export const emptyHistory = (): History => ({ count: 0, byDescription: {}, byType: {}, sinceMs: Infinity, untilMs: -Infinity });

/** Counts one failed row into `h`. */
export function addRow(h: History, row: RefreshTask, createdAtMs: number): void {
  const cls = failureClass(row.description);
  h.count++;
  h.byDescription[cls] = (h.byDescription[cls] ?? 0) + 1;
  h.byType[row.objectType] = (h.byType[row.objectType] ?? 0) + 1;
  h.sinceMs = Math.min(h.sinceMs, createdAtMs);
  h.untilMs = Math.max(h.untilMs, createdAtMs);
}

/** Adds the count `more` into `into`. */
export function addHistory(into: History, more: History): void {
  if (more.count === 0) return;
  into.count += more.count;
  for (const [k, n] of Object.entries(more.byDescription)) into.byDescription[k] = (into.byDescription[k] ?? 0) + n;
  for (const [k, n] of Object.entries(more.byType)) into.byType[k] = (into.byType[k] ?? 0) + n;
  into.sinceMs = Math.min(into.sinceMs, more.sinceMs);
  into.untilMs = Math.max(into.untilMs, more.untilMs);
}
