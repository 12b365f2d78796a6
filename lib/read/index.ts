import type { Ledger } from '../decide/ledger';
import type { Logger } from '../ports';
import type { MonitorState } from '../state/schema';
import { VodError } from '../vod/errors';
import type { VodReader } from '../vod/reader';
import type { ObjectType } from '../vod/types';
import { type PlannedRange, type ReadPlan, windowEdge } from './plan';
import { type RangeOptions, type RangeOutcome, readRange } from './range';
import { checkRecoveries } from './recovery';
import { checkWatched, lookUpRows, type WatchedCheck } from './watched';

export interface ReadSettings {
  readonly types: readonly ObjectType[];
  /** A range of at most this many pages is read whole. */
  readonly cheapMaxPages: number;
  readonly concurrency: number;
  /** Watched rows looked up one by one at most, per run. */
  readonly maxLookups: number;
  /** Failed paths checked for a recovery at most, per run. */
  readonly maxRecoveryChecks: number;
  /** Failed paths checked first, whatever the run (a reminder is due for them: nobody is reminded of what is fixed). */
  readonly priorityPaths?: readonly string[];
}

/** How this run's read went: `down` only when the API could not be read at all, or refused for good. */
export type ReadStatus = 'complete' | 'partial' | 'down';

export interface ReadResult {
  readonly status: ReadStatus;
  /** Each planned range read, and how (a range not reached has no entry). */
  readonly ranges: ReadonlyMap<PlannedRange, RangeOutcome>;
  /** Ranges the run ran out of time on, with their row count when page 1 said it: cut for the next runs. */
  readonly outOfTime: ReadonlyMap<PlannedRange, number | null>;
  readonly watched: WatchedCheck | null;
  readonly recoveries: { readonly checked: number; readonly waiting: number } | null;
  /** What stopped the read, when something did. */
  readonly error: VodError | null;
  /** A widened read was tried and given up (its range held more than a page). */
  readonly wideGaveUp: boolean;
}

/**
 * Runs the plan's reads in order of what they are worth — the new range, the older watched rows, the ranges earlier
 * runs left, the recovery checks — deciding rows as they arrive. Whatever stops it (the deadline, an error) leaves
 * what was read decided; a range counts only once it is settled.
 */
export async function readPlanned(
  reader: VodReader,
  plan: ReadPlan,
  state: MonitorState,
  ledger: Ledger,
  settings: ReadSettings,
  apiNowMs: number,
  logger: Logger,
): Promise<ReadResult> {
  const ranges = new Map<PlannedRange, RangeOutcome>();
  const outOfTime = new Map<PlannedRange, number | null>();
  const counts = new Map<PlannedRange, number>();
  let watched: WatchedCheck | null = null;
  let recoveries: ReadResult['recoveries'] = null;
  let wideGaveUp = false;
  const read = (r: PlannedRange, extra: Partial<RangeOptions> = {}) =>
    readRange(reader, r, rangeOptions(r, state, settings, reader, ledger, logger, counts, extra), ledger);
  /** A request that timed out is as telling as the deadline: the range is cut for the next runs (noteOutOfTime). */
  const noting = async (r: PlannedRange, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      noteOutOfTime(r, err, counts, outOfTime);
      throw err;
    }
  };
  try {
    const [fresh, ...older] = plan.ranges;
    let covered = false;
    if (fresh)
      await noting(fresh, async () => {
        if (plan.widenTo !== null) {
          // Tried first: one page that covers the new rows and every watched row, or nothing.
          const wide = await read({ ...fresh, startMs: plan.widenTo }, { giveUpOverPages: 1 });
          covered = wide.mode !== 'none';
          if (covered) ranges.set(fresh, wide);
          else wideGaveUp = true;
        }
        if (!covered) ranges.set(fresh, await read(fresh));
      });
    const due = (covered ? [] : plan.olderWatched).flatMap((k) => {
      const w = state.watching[k];
      return w ? [[k, w] as const] : [];
    });
    if (due.length)
      watched = await checkWatched(reader, due, plan.ranges[0]?.startMs ?? apiNowMs, ledger, logger, {
        maxLookups: settings.maxLookups,
        nowMs: apiNowMs,
        concurrency: settings.concurrency,
        catchingUp: older.length > 0,
      });
    await readOlder(older, (r) => noting(r, async () => void ranges.set(r, await read(r))));
    // Recoveries are good news: a busy run (its new rows read by Status filter) checks one path, a quiet one a few.
    const busy = fresh !== undefined && ranges.get(fresh)?.mode === 'filtered';
    if (!plan.firstRun)
      recoveries = await checkRecoveries(
        reader,
        ledger,
        plan.frontierMs,
        windowEdge(apiNowMs),
        busy ? 1 : settings.maxRecoveryChecks,
        settings.priorityPaths ?? [],
      );
  } catch (err) {
    // Anything but a classified API error is a bug: it must fail the run loudly, not pass for an unreadable API.
    if (!(err instanceof VodError)) throw err;
    const status = classify(err, reader.stats.pages);
    logger[status === 'down' ? 'error' : 'warn'](
      { event: status === 'down' ? 'read-failed' : 'read-stopped', err: err.toJSON(), pagesRead: reader.stats.pages },
      status === 'down' ? `cannot read refresh tasks: ${err.code}` : `the read stopped early (${err.code}); the next run continues`,
    );
    return { status, ranges, outOfTime, watched, recoveries, error: err, wideGaveUp };
  }
  const settled = plan.ranges.every((r) => ranges.get(r)?.settled);
  return { status: settled ? 'complete' : 'partial', ranges, outOfTime, watched, recoveries, error: null, wideGaveUp };
}

/** How one planned range is read: the watched rows it holds, lookups for them, its page-1 count noted. */
function rangeOptions(
  r: PlannedRange,
  state: MonitorState,
  settings: ReadSettings,
  reader: VodReader,
  ledger: Ledger,
  logger: Logger,
  counts: Map<PlannedRange, number>,
  extra: Partial<RangeOptions>,
): RangeOptions {
  const knownPending = Object.entries(state.watching).filter(
    ([, w]) => w.createdAtMs >= r.startMs && w.createdAtMs <= r.endMs && w.task.status !== 'Refreshing',
  );
  return {
    types: settings.types,
    listSinceMs: r.listSinceMs ?? -Infinity,
    cheapMaxPages: settings.cheapMaxPages,
    huntBatch: settings.concurrency,
    followApiClock: r.isNew,
    knownPending,
    confirm: (rows) => lookUpRows(reader, rows, ledger, logger, settings.concurrency),
    onCount: (total) => counts.set(r, total),
    ...extra,
  };
}

/**
 * A range the deadline or a request timeout stopped is cut for the next runs, but only one whose page 1 was read:
 * cutting one this run never reached would only add page 1s to read.
 */
function noteOutOfTime(r: PlannedRange, err: unknown, counts: ReadonlyMap<PlannedRange, number>, outOfTime: Map<PlannedRange, number | null>): void {
  if (err instanceof VodError && (err.code === 'DeadlineReached' || err.code === 'RequestTimeout') && counts.has(r)) outOfTime.set(r, counts.get(r)!);
}

/**
 * Ranges earlier runs left are read RANGES_AT_ONCE at a time, in order: while one range's pages fill the pacer's slots,
 * the next one's page 1 is already on its way, so a slow API's answers overlap instead of adding up. The pacer's starts
 * are FIFO, so ranges still finish roughly one after another: the deadline leaves one range half-read, not several.
 * The first error stops new ranges and is rethrown once every range in flight has ended.
 */
async function readOlder(older: readonly PlannedRange[], readOne: (r: PlannedRange) => Promise<void>): Promise<void> {
  let next = 0;
  let stop: unknown = null;
  const worker = async () => {
    while (stop === null && next < older.length) {
      const r = older[next++]!;
      await readOne(r).catch((err: unknown) => {
        stop ??= err;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(RANGES_AT_ONCE, older.length) }, worker));
  if (stop !== null) throw stop;
}

/** Older ranges read at once (see readOlder). */
const RANGES_AT_ONCE = 2;

/** A slow run is not a down monitor: only a refusal for good, or errors that kept every call from succeeding. */
function classify(error: VodError, pagesRead: number): ReadStatus {
  if (pagesRead === 0 && (error.retryable || error.code === 'DeadlineReached')) return 'down';
  if (error.code === 'DeadlineReached') return 'partial';
  return error.retryable ? 'partial' : 'down';
}
