import type { Config } from '../config';
import { blindGap, nextHealth } from '../decide/health';
import { type Decisions, Ledger } from '../decide/ledger';
import { noticeKey, stateResetKey } from '../events/keys';
import type { AlertEvent, EventOf } from '../events/schema';
import { domainOf } from '../identity';
import { watchLimitNotice } from '../notify/hints';
import { accountCounts, digestDue } from '../policy/digest';
import { remindersDue } from '../policy/remind';
import { type ReadResult, readPlanned } from '../read';
import { type PlannedRange, pieceRows, planRead, type ReadPlan, remainingRanges, windowEdge } from '../read/plan';
import { DEFAULT_RETRY } from '../retry';
import { StateError } from '../state/errors';
import { emptyState, type MonitorState, RUNS_KEPT } from '../state/schema';
import { localTime, shanghaiTime } from '../time';
import { createReader } from '../vod/factory';
import type { Pacer, PacerStats } from '../vod/pacer';
import { MAX_PAGE_SIZE } from '../vod/params';
import type { ReaderStats } from '../vod/reader';
import type { RefreshTask } from '../vod/types';
import type { MonitorDeps, RunOptions } from './types';

/** Lookup calls a run makes at most for watched rows crossing the stuck threshold. */
export const MAX_LOOKUPS = 200;
/** Failed paths checked for a recovery at most, per run (recoveries are good news: they may wait for quieter runs). */
export const MAX_RECOVERY_CHECKS = 3;
/** A range of at most this many pages is read whole rather than by Status filters. */
export const WHOLE_READ_MAX_PAGES = 10;

/** Loads the state. Loading never writes; only a real run (holding the lock) moves a refused file aside. */
export async function loadState(
  deps: MonitorDeps,
  options: RunOptions,
  nowMs: number,
): Promise<{ state: MonitorState; migratedFrom: number | null; reset: string | null }> {
  try {
    const loaded = await deps.store.load(nowMs);
    if (loaded?.migratedFrom)
      deps.logger.warn(
        { event: 'state-migrated', from: loaded.migratedFrom },
        `the state file was written by an earlier version (${loaded.migratedFrom}); converted`,
      );
    return { state: loaded?.state ?? emptyState(nowMs), migratedFrom: loaded?.migratedFrom ?? null, reset: null };
  } catch (err) {
    if (!(err instanceof StateError) || err.code === 'StateIo') throw err;
    const keptAt = options.dryRun ? null : await deps.store.quarantine(nowMs);
    deps.logger.error(
      { event: 'state-refused', code: err.code, keptAt, dryRun: options.dryRun },
      `${err.message}; continuing as a first run (only recent failures are listed)`,
    );
    const event: AlertEvent = {
      kind: 'state-reset',
      key: stateResetKey(nowMs),
      reason: err.message,
      keptAt: keptAt ?? `${deps.store.location} (left in place by a dry run)`,
    };
    return { state: { ...emptyState(nowMs), outbox: [{ event, queuedAtMs: nowMs, uncertain: 0, refusals: 0 }] }, migratedFrom: null, reset: err.message };
  }
}

function wanted(config: Config): (t: RefreshTask) => boolean {
  const domains = new Set(config.vod.domains);
  const types = new Set<string>(config.vod.objectTypes);
  return (t) => (domains.size === 0 || domains.has(domainOf(t.objectPath))) && types.has(t.objectType);
}

export interface ReadStage {
  readonly plan: ReadPlan;
  readonly result: ReadResult;
  readonly decisions: Decisions;
  readonly apiNowMs: number;
  readonly skewMs: number;
  readonly pacer: Readonly<PacerStats>;
  readonly reader: ReaderStats;
  /** The run's pacer, for the calls that come after the reads (re-submissions). */
  readonly runPacer: Pacer;
  /** The account's counts for a daily digest due this run; null when none is due or they could not be read. */
  readonly account: EventOf<'digest'>['account'];
}

/** Plans the run's reads and reads, deciding rows as they arrive. */
export async function readStage(deps: MonitorDeps, state: MonitorState): Promise<ReadStage> {
  const { config } = deps;
  const runtime = { now: deps.now, sleep: deps.sleep, random: deps.random, logger: deps.logger };
  const { reader, clock, pacer } = createReader(deps.api, config.vod, runtime, deps.budget.readUntilMs, state.skewMs, deps.retryPolicy ?? DEFAULT_RETRY);
  const plan = planRead(state, { apiNowMs: clock.now(), overlapMs: config.vod.overlapMs, firstRunLookbackMs: config.firstRunLookbackMs });
  const ledger = new Ledger(
    state,
    {
      nowMs: clock.now(),
      listSinceMs: plan.backlogBeforeMs ?? -Infinity,
      stuckAfterMs: config.stuckAfterMs,
      legacyBeforeMs: state.legacyBeforeMs,
      wanted: wanted(config),
    },
    deps.logger,
  );
  const settings = {
    types: config.vod.objectTypes,
    cheapMaxPages: WHOLE_READ_MAX_PAGES,
    concurrency: config.vod.concurrency,
    maxLookups: MAX_LOOKUPS,
    stuckAfterMs: config.stuckAfterMs,
    maxRecoveryChecks: MAX_RECOVERY_CHECKS,
  };
  const priority = remindersDue(state, deps.alerting, clock.now());
  const result = await readPlanned(reader, plan, state, ledger, { ...settings, priorityPaths: priority }, clock.now(), deps.logger);
  const account = digestDue(state.daily, deps.alerting, deps.now()) && result.status !== 'down' ? await accountCounts(reader, clock.now()) : null;
  const apiNowMs = clock.now();
  if (Math.abs(clock.skewMs) > 60_000)
    deps.logger.warn(
      { event: 'clock-skew', skewMs: clock.skewMs },
      `this machine's clock is ${Math.round(Math.abs(clock.skewMs) / 1000)} s ${clock.skewMs > 0 ? 'behind' : 'ahead of'} the VOD API's; windows are planned on the API's clock`,
    );
  return {
    plan,
    result,
    decisions: ledger.finish(apiNowMs, { watchLimit: watchLimitNotice }),
    apiNowMs,
    skewMs: clock.skewMs,
    pacer: pacer.stats,
    reader: reader.stats,
    runPacer: pacer,
    account,
  };
}

/** The reading state after this run, and the events its decisions and the monitor's health produce. */
export async function decideStage(
  deps: MonitorDeps,
  state: MonitorState,
  read: ReadStage,
  startedMs: number,
): Promise<{ state: MonitorState; events: AlertEvent[] }> {
  const { result, plan, decisions } = read;
  const error = result.error ? { code: result.error.code, message: result.error.message } : null;
  const health = nextHealth(state.health, result.status, error, startedMs);
  const cause = deps.lastFailureCause ? await deps.lastFailureCause().catch(() => null) : null;
  const blind = blindGap(state, result.status, startedMs, deps.config.blindAfterMs, cause);
  const settled = new Set<PlannedRange>();
  for (const [r, o] of result.ranges) if (o.settled) settled.add(r);
  // A settled range whose end was clamped to the API's clock leaves its last seconds to the next new range.
  const fresh = plan.ranges[0]!;
  const freshOutcome = result.ranges.get(fresh);
  const frontierMs = freshOutcome?.settled ? freshOutcome.range.endMs : plan.frontierMs;
  const outcome = freshOutcome ?? null;
  const minutes = outcome ? (outcome.range.endMs - outcome.range.startMs) / 60_000 : 0;
  const next: MonitorState = {
    ...state,
    frontierMs,
    scanned: state.scanned || settled.size > 0,
    backlogBeforeMs: plan.backlogBeforeMs,
    pendingRanges: remainingRanges(
      plan.ranges,
      settled,
      result.outOfTime,
      windowEdge(read.apiNowMs),
      pieceRows(read.reader.pages, WHOLE_READ_MAX_PAGES * MAX_PAGE_SIZE),
      read.reader.pages * MAX_PAGE_SIZE,
    ),
    watching: decisions.watching,
    failedPaths: decisions.failedPaths,
    legacyIds: Object.fromEntries(Object.entries(state.legacyIds).filter(([, exp]) => exp > read.apiNowMs)),
    health: health.health,
    lastOkMs: result.status === 'down' ? state.lastOkMs : startedMs,
    skewMs: read.skewMs,
    rowsPerMinute: outcome && outcome.total > 0 && minutes > 0 ? outcome.total / minutes : state.rowsPerMinute,
    wideGaveUpFromMs: result.wideGaveUp ? plan.widenTo : state.wideGaveUpFromMs,
  };
  // A first run that could read nothing starts again next time, its lookback anchored then; one that read part of
  // the window keeps what it read and goes on from where it stopped.
  if (!next.scanned && result.status === 'down') return { state: { ...next, frontierMs: null, pendingRanges: [] }, events: health.event ? [health.event] : [] };
  const behind = stalledReading(state, next, read.apiNowMs, result.status === 'down');
  const events = [...(blind ? [blind] : []), ...decisions.events, ...(health.event ? [health.event] : []), ...(behind.event ? [behind.event] : [])];
  return { state: { ...next, stalled: behind.stalled }, events };
}

/** Runs in a row that leave rows unread, after which on-call is told (once a day) if the oldest waits over an hour. */
export const STALLED_RUNS = 6;
const STALLED_AGE_MS = 3600_000;

/**
 * Whether the monitor is falling behind: STALLED_RUNS runs in a row (half an hour) that could read ended with ranges
 * left for later, the oldest created over an hour ago. Failures there are reported once read, while the API keeps them; a run too
 * short for its VOD is said, not hidden.
 */
function stalledReading(
  before: MonitorState,
  after: MonitorState,
  apiNowMs: number,
  down: boolean,
): { stalled: MonitorState['stalled']; event: AlertEvent | null } {
  const spanMs = after.pendingRanges.reduce((a, r) => a + (r.endMs - r.startMs), 0);
  // A run that could not read at all is not slow: the health notice ("cannot read refresh tasks") tells that, and
  // no timeout would help. It neither counts nor resets the runs that could read and did not catch up.
  if (down) return { stalled: { runs: before.stalled.runs, spanMs }, event: null };
  const runs = spanMs > 0 ? before.stalled.runs + 1 : 0;
  const stalled = { runs, spanMs };
  const oldest = Math.min(...after.pendingRanges.map((r) => r.startMs));
  // Once a day: enqueue drops a key already told or waiting.
  const key = noticeKey('falling-behind', { day: shanghaiTime(apiNowMs).slice(0, 10) });
  if (runs < STALLED_RUNS || apiNowMs - oldest < STALLED_AGE_MS) return { stalled, event: null };
  return {
    stalled,
    event: {
      kind: 'notice',
      key,
      code: 'FallingBehind',
      message: `The monitor is falling behind: rows created since ${localTime(oldest)} (${Math.round(spanMs / 60_000)} min of them, in ${after.pendingRanges.length} range(s)) are not read yet, and the last ${runs} runs did not catch up. Failures there are reported once read, while the API keeps them (3 days). Each run reads for a share of the function's timeout: raise it in s.yaml (timeout, 120 s shipped), or look at why VOD answers slowly.`,
    },
  };
}

/** The run's line in the state's history, kept for `status`. */
export function withRun(state: MonitorState, run: MonitorState['runs'][number]): MonitorState {
  return { ...state, runs: [...state.runs, run].slice(-RUNS_KEPT) };
}
