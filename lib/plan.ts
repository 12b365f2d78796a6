import type { MonitorState } from './state/schema';
import { WINDOW_EDGE_MARGIN_MS } from './vod/params';
import { QUERY_WINDOW_MS } from './vod/time';

export interface ScanPlan {
  /** True when there is no usable watermark: read the whole 3-day window. */
  readonly full: boolean;
  /** Start of the window of tasks created since the last complete scan (less the overlap). */
  readonly newSinceMs: number;
  /** Start of the window that also covers every watched unfinished task. */
  readonly wideStartMs: number;
  readonly endMs: number;
  readonly watchedIds: string[];
}

/** The oldest StartTime the API accepts at `nowMs`, with a margin for clock skew. */
export function windowEdge(nowMs: number): number {
  return nowMs - QUERY_WINDOW_MS + WINDOW_EDGE_MARGIN_MS;
}

/**
 * Chooses what to read: the window since the last complete scan (minus `overlapMs`, for tasks the API lists
 * late), widened to the oldest unfinished task being watched, so a quiet run is one call.
 */
export function planScan(state: MonitorState | null, nowMs: number, overlapMs: number): ScanPlan {
  const edge = windowEdge(nowMs);
  const endMs = Math.floor(nowMs / 1000) * 1000;
  if (!state || state.watermarkMs === null || state.watermarkMs - overlapMs <= edge) {
    return { full: true, newSinceMs: edge, wideStartMs: edge, endMs, watchedIds: Object.keys(state?.watching ?? {}) };
  }
  const newSinceMs = Math.min(state.watermarkMs - overlapMs, endMs - 1000);
  const watched = Object.values(state.watching);
  const oldestWatched = watched.reduce((m, w) => Math.min(m, w.createdAtMs), Infinity);
  const wideStartMs = Math.max(edge, Math.min(newSinceMs, oldestWatched - 1000));
  return { full: false, newSinceMs, wideStartMs, endMs, watchedIds: Object.keys(state.watching) };
}

/** What to do after the first page of the wide window, when it did not hold everything. */
export type FollowUp =
  | { readonly kind: 'read-wide' }
  | { readonly kind: 'lookup'; readonly ids: string[] }
  | { readonly kind: 'read-new-then-old' };

/**
 * Picks the cheapest way to finish once page 1 of the wide window is in hand: the rest of the wide window, or
 * single TaskId lookups for the watched tasks page 1 did not show (when page 1 already covers every new task), or
 * the new-task window first and then whichever of lookups or the older window costs fewer calls.
 */
export function chooseFollowUp(input: { totalCount: number; pageSize: number; newCovered: boolean; unseenWatched: string[]; wideEqualsNew: boolean }): FollowUp {
  const remainingWidePages = Math.ceil(input.totalCount / input.pageSize) - 1;
  if (input.newCovered) {
    return input.unseenWatched.length <= remainingWidePages ? { kind: 'lookup', ids: input.unseenWatched } : { kind: 'read-wide' };
  }
  if (input.wideEqualsNew || input.unseenWatched.length === 0) return { kind: 'read-wide' };
  return { kind: 'read-new-then-old' };
}
