import type { Logger } from '../ports';
import type { MonitorState, WatchedRow } from '../state/schema';
import { VodError } from '../vod/errors';
import type { VodReader } from '../vod/reader';
import type { ObjectType } from '../vod/types';
import { lookUpRows } from './lookup';
import { type PlannedRange, type ReadPlan, windowEdge } from './plan';
import { type RangeOptions, type RangeOutcome, readRange } from './range';
import { checkRecoveries } from './recovery';
import type { RowSink } from './sink';
import { checkCrossing, listWatchedFailures, type WatchedCheck, type WatchedOptions } from './watched';

export interface ReadSettings {
  readonly types: readonly ObjectType[];
  /** A range of at most this many pages is read whole. */
  readonly cheapMaxPages: number;
  readonly concurrency: number;
  /** Lookup calls a run makes at most for watched rows crossing the stuck threshold. */
  readonly maxLookups: number;
  readonly stuckAfterMs: number;
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
  sink: RowSink,
  settings: ReadSettings,
  apiNowMs: number,
  logger: Logger,
): Promise<ReadResult> {
  const run: RunRead = { reader, plan, state, sink, settings, logger, ranges: new Map(), outOfTime: new Map(), counts: new Map() };
  const found: { watched: WatchedCheck | null; recoveries: ReadResult['recoveries']; wideGaveUp: boolean } = {
    watched: null,
    recoveries: null,
    wideGaveUp: false,
  };
  const watchOpts: WatchedOptions = {
    maxLookups: settings.maxLookups,
    nowMs: apiNowMs,
    stuckAfterMs: settings.stuckAfterMs,
    concurrency: settings.concurrency,
    catchingUp: plan.ranges.length > 1,
  };
  try {
    const [fresh, ...older] = plan.ranges;
    const due = plan.olderWatched.flatMap((k) => (state.watching[k] ? [[k, state.watching[k]] as const] : []));
    const failedListings = fresh ? await readFresh(run, fresh, due, watchOpts, found) : 0;
    // Rows crossing the stuck threshold, then the ranges earlier runs left, which get the pacer's slots to themselves
    // and so settle whole pieces.
    if (due.length) found.watched = { failedListings, ...(await checkCrossing(reader, due, sink, logger, watchOpts)) };
    await readOlder(older, (r) => noting(run, r, async () => void run.ranges.set(r, await readOne(run, r))));
    // Recoveries are good news: a busy run (its new rows read by Status filter) checks one path, a quiet one a few.
    const busy = fresh !== undefined && run.ranges.get(fresh)?.mode === 'filtered';
    if (!plan.firstRun)
      found.recoveries = await checkRecoveries(
        reader,
        sink,
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
    return { status, ranges: run.ranges, outOfTime: run.outOfTime, ...found, error: err };
  }
  const settled = plan.ranges.every((r) => run.ranges.get(r)?.settled);
  return { status: settled ? 'complete' : 'partial', ranges: run.ranges, outOfTime: run.outOfTime, ...found, error: null };
}

/** One run's reading: what it reads with, and what it established so far. */
interface RunRead {
  readonly reader: VodReader;
  readonly plan: ReadPlan;
  readonly state: MonitorState;
  readonly sink: RowSink;
  readonly settings: ReadSettings;
  readonly logger: Logger;
  readonly ranges: Map<PlannedRange, RangeOutcome>;
  /** Ranges the run ran out of time on, with their row count when page 1 said it: cut for the next runs. */
  readonly outOfTime: Map<PlannedRange, number | null>;
  /** Each range's row count, from its page 1. */
  readonly counts: Map<PlannedRange, number>;
}

const readOne = (run: RunRead, r: PlannedRange, extra: Partial<RangeOptions> = {}) => readRange(run.reader, r, rangeOptions(r, run, extra), run.sink);

/** A request that timed out is as telling as the deadline: the range is cut for the next runs (noteOutOfTime). */
async function noting(run: RunRead, r: PlannedRange, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    noteOutOfTime(r, err, run.counts, run.outOfTime);
    throw err;
  }
}

/**
 * The new range: first, when few rows are expected, one widened page that covers the watched rows too; else the
 * range as planned, with the failures of the watched rows before it listed in the same round trips. Returns the
 * calls those listings made.
 */
async function readFresh(
  run: RunRead,
  fresh: PlannedRange,
  due: ReadonlyArray<readonly [string, WatchedRow]>,
  opts: WatchedOptions,
  found: { wideGaveUp: boolean },
): Promise<number> {
  let covered = false;
  await noting(run, fresh, async () => {
    if (run.plan.widenTo === null) return;
    const wide = await readOne(run, { ...fresh, startMs: run.plan.widenTo }, { giveUpOverPages: 1 });
    covered = wide.mode !== 'none';
    if (covered) run.ranges.set(fresh, wide);
    else found.wideGaveUp = true;
  });
  if (covered) return 0;
  const listing = due.length ? listWatchedFailures(run.reader, due, fresh.startMs, run.sink, opts) : Promise.resolve(0);
  const reading = noting(run, fresh, async () => void run.ranges.set(fresh, await readOne(run, fresh)));
  const [a, b] = await Promise.allSettled([reading, listing]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  return b.value;
}

/** How one planned range is read: the watched rows it holds, lookups for them, its page-1 count noted. */
function rangeOptions(r: PlannedRange, run: RunRead, extra: Partial<RangeOptions>): RangeOptions {
  const knownPending = Object.entries(run.state.watching).filter(
    ([, w]) => w.createdAtMs >= r.startMs && w.createdAtMs <= r.endMs && w.task.status !== 'Refreshing',
  );
  return {
    types: run.settings.types,
    listSinceMs: r.listSinceMs ?? -Infinity,
    cheapMaxPages: run.settings.cheapMaxPages,
    huntBatch: run.settings.concurrency,
    followApiClock: r.isNew,
    knownPending,
    confirm: (rows) => lookUpRows(run.reader, rows, run.sink, run.logger, run.settings.concurrency),
    onCount: (total) => run.counts.set(r, total),
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
