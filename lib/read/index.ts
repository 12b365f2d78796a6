import type { Ledger } from '../decide/ledger';
import type { Logger } from '../ports';
import type { MonitorState, WatchedRow } from '../state/schema';
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
  /** Ranges the run ran out of time on: cut in two for the next runs. */
  readonly outOfTime: ReadonlySet<PlannedRange>;
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
  const outOfTime = new Set<PlannedRange>();
  let watched: WatchedCheck | null = null;
  let recoveries: ReadResult['recoveries'] = null;
  let current: PlannedRange | null = null;
  let wideGaveUp = false;
  const read = async (r: PlannedRange, extra: Partial<RangeOptions> = {}) => {
    current = r;
    const knownPending = Object.entries(state.watching).filter(
      ([, w]) => w.createdAtMs >= r.startMs && w.createdAtMs <= r.endMs && w.task.status !== 'Refreshing',
    );
    const options = {
      types: settings.types,
      listSinceMs: r.listSinceMs ?? -Infinity,
      cheapMaxPages: settings.cheapMaxPages,
      huntBatch: settings.concurrency,
      followApiClock: r.isNew,
      knownPending,
      confirm: (rows: ReadonlyArray<readonly [string, WatchedRow]>) => lookUpRows(reader, rows, ledger, logger),
      ...extra,
    };
    const outcome = await readRange(reader, r, options, ledger);
    current = null;
    return outcome;
  };
  try {
    const [fresh, ...older] = plan.ranges;
    let covered = false;
    if (fresh && plan.widenTo !== null) {
      // Tried first: one page that covers the new rows and every watched row, or nothing.
      const wide = await read({ ...fresh, startMs: plan.widenTo }, { giveUpOverPages: 1 });
      if (wide.mode !== 'none') {
        ranges.set(fresh, wide);
        covered = true;
      } else wideGaveUp = true;
    }
    if (fresh && !covered) ranges.set(fresh, await read(fresh));
    const due = (covered ? [] : plan.olderWatched).flatMap((k) => {
      const w = state.watching[k];
      return w ? [[k, w] as const] : [];
    });
    if (due.length) watched = await checkWatched(reader, due, plan.ranges[0]?.startMs ?? apiNowMs, ledger, logger, settings.maxLookups);
    for (const r of older) ranges.set(r, await read(r));
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
    if (err.code === 'DeadlineReached' && current) outOfTime.add(current);
    logger[status === 'down' ? 'error' : 'warn'](
      { event: status === 'down' ? 'read-failed' : 'read-stopped', err: err.toJSON(), pagesRead: reader.stats.pages },
      status === 'down' ? `cannot read refresh tasks: ${err.code}` : `the read stopped early (${err.code}); the next run continues`,
    );
    return { status, ranges, outOfTime, watched, recoveries, error: err, wideGaveUp };
  }
  const settled = plan.ranges.every((r) => ranges.get(r)?.settled);
  return { status: settled ? 'complete' : 'partial', ranges, outOfTime, watched, recoveries, error: null, wideGaveUp };
}

/** A slow run is not a down monitor: only a refusal for good, or errors that kept every call from succeeding. */
function classify(error: VodError, pagesRead: number): ReadStatus {
  if (pagesRead === 0 && (error.retryable || error.code === 'DeadlineReached')) return 'down';
  if (error.code === 'DeadlineReached') return 'partial';
  return error.retryable ? 'partial' : 'down';
}
