import type { MonitorState } from '../state/schema';
import { MAX_PAGE_SIZE, WINDOW_EDGE_MARGIN_MS } from '../vod/params';
import { QUERY_WINDOW_MS } from '../vod/time';

/** A span of creation times, API clock, whole seconds. */
export interface Range {
  readonly startMs: number;
  readonly endMs: number;
}

/** A range to settle. */
export interface PlannedRange extends Range {
  /** Runs that ran out of time on this range while it was kept whole. */
  readonly cutShort?: number;
  /** Failures in the range created before this are counted, not listed (a first run reads one range, listing its lookback). */
  readonly listSinceMs?: number;
  /** The range of new rows since the last run (the others are left from earlier runs). */
  readonly isNew: boolean;
}

export interface ReadPlan {
  /** No read has settled a range yet: first-run rules. */
  readonly firstRun: boolean;
  /** The ranges to settle, in the order they are worth reading: new rows first, then older pending ones, newest first. */
  readonly ranges: readonly PlannedRange[];
  /** The end of the new range: every row created before it is read, or in a range still pending. */
  readonly frontierMs: number;
  /** Failures created before this (and not watched) are counted, not listed. */
  readonly backlogBeforeMs: number | null;
  /**
   * When few rows are expected: a start for the new range that covers every watched row too, tried first (one page
   * or nothing: if page 1 shows more, the run reads the new range as planned).
   */
  readonly widenTo: number | null;
  /** Watched rows created before the new range, checked by a Refreshing listing and lookups (unless the widened read covered them). */
  readonly olderWatched: string[];
}

export interface PlanInput {
  /** Now on the API's clock. */
  readonly apiNowMs: number;
  readonly overlapMs: number;
  readonly firstRunLookbackMs: number;
}

/** The oldest StartTime the API accepts at `apiNowMs`, with a margin larger than any skew a signed call survives. */
export function windowEdge(apiNowMs: number): number {
  return Math.ceil((apiNowMs - QUERY_WINDOW_MS + WINDOW_EDGE_MARGIN_MS) / 1000) * 1000;
}

const second = (ms: number) => Math.floor(ms / 1000) * 1000;

/**
 * Chooses what this run reads. The new range runs from the frontier (less the overlap, for rows the API lists
 * late) to now. A first run reads the whole 3-day window, listing the lookback's failures and counting the older
 * ones. Ranges an earlier run could not settle are read after the
 * new one, newest first, so progress is kept across runs and the newest failures never wait. When few rows are
 * expected, a widened start covering the watched rows is tried first, so a quiet run stays one call.
 */
export function planRead(state: MonitorState, input: PlanInput): ReadPlan {
  const edge = windowEdge(input.apiNowMs);
  const endMs = second(input.apiNowMs - 1000);
  const firstRun = !state.scanned;
  const kept = (r: Range) => r.endMs > edge;
  const clamp = <R extends Range>(r: R): R => ({ ...r, startMs: Math.max(edge, r.startMs) });
  let ranges: PlannedRange[];
  let backlogBeforeMs = state.backlogBeforeMs;
  // A first run that read part of the window goes on from where it stopped, with the same listing rule.
  const continuing = firstRun && state.frontierMs !== null && backlogBeforeMs !== null && state.pendingRanges.some(kept);
  if (firstRun && !continuing) {
    // One range over the whole window costs least: its Status-filtered reads count the history in the same calls.
    const listSince = Math.max(edge + 1000, second(endMs - input.firstRunLookbackMs));
    backlogBeforeMs = listSince;
    ranges = [{ startMs: edge, endMs, isNew: true, listSinceMs: listSince }];
  } else {
    // Never below the delivered keys kept (lib/decide/retention.ts), even with this clock far behind the frontier.
    const start = Math.max(edge, state.reportedFloorMs ?? edge, second(Math.min(state.frontierMs ?? edge, endMs - 1000) - input.overlapMs));
    // The first run's listing rule holds for every range that reaches before it (its pieces left for later runs):
    // failures there are counted, by TotalCount, once the piece settles. Later ranges start after it anyway.
    const listing = backlogBeforeMs !== null ? { listSinceMs: backlogBeforeMs } : {};
    const older = state.pendingRanges
      .filter(kept)
      .map((r) => ({ ...clamp(r), isNew: false, ...listing }))
      .reverse();
    ranges = [{ startMs: start, endMs, isNew: true, ...listing }, ...older];
  }
  const fresh = ranges[0]!;
  const older = Object.entries(state.watching).filter(([, w]) => w.createdAtMs < fresh.startMs);
  let widenTo: number | null = null;
  if (!firstRun && ranges.length === 1 && older.length > 0) {
    const start = Math.max(edge, second(Math.min(...older.map(([, w]) => w.createdAtMs)) - 1000));
    const expected = (state.rowsPerMinute ?? 0) * ((fresh.startMs - start) / 60_000);
    // Never below the delivered keys kept (lib/decide/retention.ts): a row there could be reported again.
    if (expected <= MAX_PAGE_SIZE && start !== state.wideGaveUpFromMs && start >= (state.reportedFloorMs ?? -Infinity)) widenTo = start;
  }
  return { firstRun, ranges, frontierMs: endMs, backlogBeforeMs, widenTo, olderWatched: older.map(([k]) => k) };
}

/**
 * The size of a piece a range the run ran out of time on is cut into: a third of the rows this run read (a run as
 * slow as this one then settles two or three pieces, and leaves at most one half-read), between 2 pages and
 * `maxRows` (a fast run: pieces read whole in two round trips).
 */
export function pieceRows(pagesRead: number, maxRows: number): number {
  return Math.max(2 * MAX_PAGE_SIZE, Math.min(maxRows, Math.floor((pagesRead * MAX_PAGE_SIZE) / 3)));
}

/** The most pieces a range the run ran out of time on is cut into. */
const MAX_PIECES = 32;

/**
 * The ranges left for later runs: the planned ones this run did not settle, merged where they overlap, oldest first.
 * One the run ran out of time on is cut so that each later attempt has less to do: into pieces of about
 * `rowsPerPiece` rows (a size read whole in two round trips) when page 1 gave its count, else in two; never below a
 * minute. One that holds no more rows than this run read (`runRows`) is kept whole the first time: the run may only
 * have started it late, and a later run reads it in one go (cutting it would only add a page 1 to read); if a run
 * runs out of time on it again, it is cut.
 */
export function remainingRanges(
  planned: readonly PlannedRange[],
  settled: ReadonlySet<PlannedRange>,
  outOfTime: ReadonlyMap<PlannedRange, number | null>,
  edgeMs: number,
  rowsPerPiece = 500,
  runRows = 0,
): MonitorState['pendingRanges'] {
  const left: MonitorState['pendingRanges'] = [];
  for (const r of planned) {
    if (settled.has(r) || r.endMs <= edgeMs) continue;
    const startMs = Math.max(edgeMs, r.startMs);
    const rows = outOfTime.get(r) ?? null;
    if (!outOfTime.has(r)) {
      left.push({ startMs, endMs: r.endMs, cutShort: r.cutShort ?? 0 });
      continue;
    }
    if (rows !== null && rows <= runRows && (r.cutShort ?? 0) === 0) {
      left.push({ startMs, endMs: r.endMs, cutShort: 1 });
      continue;
    }
    // Its size unknown: in two.
    const wanted = Math.min(MAX_PIECES, Math.max(2, Math.ceil((rows ?? 0) / rowsPerPiece)));
    const n = Math.max(1, Math.min(wanted, Math.floor((r.endMs - startMs) / 60_000)));
    const step = (r.endMs - startMs) / n;
    for (let i = 0; i < n; i++) {
      const from = i === 0 ? startMs : second(startMs + i * step) + 1000;
      const to = i === n - 1 ? r.endMs : second(startMs + (i + 1) * step);
      // Each piece is at least a minute less a second: never empty (the API refuses an EndTime not after StartTime).
      left.push({ startMs: from, endMs: to, cutShort: 0 });
    }
  }
  left.sort((a, b) => a.startMs - b.startMs);
  // Only overlapping ranges are merged (a new range overlaps the last pending one by the overlap): the pieces of a
  // cut range only touch, and stay apart.
  const merged: typeof left = [];
  for (const r of left) {
    const last = merged.at(-1);
    if (last && r.startMs <= last.endMs)
      merged[merged.length - 1] = { ...last, endMs: Math.max(last.endMs, r.endMs), cutShort: Math.max(last.cutShort, r.cutShort) };
    else merged.push(r);
  }
  return merged;
}
