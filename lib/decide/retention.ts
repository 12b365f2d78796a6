import { failedKey, isFailedKey, KEY_TTL_MS } from '../events/keys';
import { letGo } from '../events/told';
import type { MonitorState } from '../state/schema';

/** The widest overlap a run re-reads before its frontier (VOD_SCAN_OVERLAP_SECONDS accepts 3600 at most). */
const MAX_OVERLAP_MS = 3600_000;
/** A minute of margin under the earliest time any read may start again. */
const MARGIN_MS = 60_000;

/**
 * Delivered `failed:` keys kept before the ones no read can meet again are let go. The delivered keys are what keeps
 * a failure from being reported twice, so they are kept 3 days; but an outage can fail hundreds of thousands of URLs
 * in that time, and a state that holds every key would stop every run for want of memory.
 */
export const MAX_REPORTED_KEPT = 50_000;

/**
 * The earliest creation time a later run may read rows of again: the new range starts at the frontier less the
 * overlap (the widest the configuration allows), pending ranges are read whole. A widened read (for watched rows)
 * is planned only from `reportedFloorMs` on. Null before a range was ever settled (a first run reads everything).
 */
export function readAgainFromMs(state: MonitorState): number | null {
  if (!state.scanned || state.frontierMs === null) return null;
  return Math.min(state.frontierMs - MAX_OVERLAP_MS, ...state.pendingRanges.map((r) => r.startMs)) - MARGIN_MS;
}

/**
 * Over MAX_REPORTED_KEPT keys, drops the `failed:` keys of rows created before `readAgainFromMs` (a key's expiry is
 * its row's creation plus KEY_TTL_MS): no run reads those rows again, so no key is needed to keep them from a second
 * alert. Keys of failures still followed for recoveries and reminders stay. Pure.
 */
export function pruneReported(state: MonitorState): { state: MonitorState; pruned: number } {
  const keys = Object.keys(state.reported);
  if (keys.length <= MAX_REPORTED_KEPT) return { state, pruned: 0 };
  // Before a range was ever settled every row may be read again: no key is below the line.
  const floor = readAgainFromMs(state) ?? -Infinity;
  const followed = new Set(Object.values(state.failedPaths).map((f) => failedKey(f.key)));
  const gone = keys.filter((key) => isFailedKey(key) && state.reported[key]! - KEY_TTL_MS < floor && !followed.has(key));
  if (gone.length === 0) return { state, pruned: 0 };
  return { state: { ...state, reported: letGo(state.reported, gone), reportedFloorMs: Math.max(state.reportedFloorMs ?? floor, floor) }, pruned: gone.length };
}
