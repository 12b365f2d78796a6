import type { EventOf } from '../alert/model';
import { type AlertEvent, domainOf } from '../alert/model';
import { accountCounts, digestDue } from '../alerting/digest';
import { remindersDue } from '../alerting/remind';
import type { Config } from '../config';
import { blindGap, nextHealth } from '../decide/health';
import { type Decisions, Ledger } from '../decide/ledger';
import { type ReadResult, readPlanned } from '../read';
import { type PlannedRange, planRead, type ReadPlan, remainingRanges, windowEdge } from '../read/plan';
import { DEFAULT_RETRY } from '../retry';
import { emptyState, type MonitorState, RUNS_KEPT, StateError } from '../state/schema';
import { createReader } from '../vod/factory';
import type { Pacer, PacerStats } from '../vod/pacer';
import type { ReaderStats } from '../vod/reader';
import type { RefreshTask } from '../vod/types';
import type { MonitorDeps, RunOptions } from './types';

/** Watched rows looked up one by one at most, per run. */
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
      key: `state-reset:${nowMs}`,
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
    decisions: ledger.finish(apiNowMs),
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
    pendingRanges: remainingRanges(plan.ranges, settled, result.outOfTime, windowEdge(read.apiNowMs)),
    watching: decisions.watching,
    failedPaths: decisions.failedPaths,
    legacyIds: Object.fromEntries(Object.entries(state.legacyIds).filter(([, exp]) => exp > read.apiNowMs)),
    health: health.health,
    lastOkMs: result.status === 'down' ? state.lastOkMs : startedMs,
    skewMs: read.skewMs,
    rowsPerMinute: outcome && outcome.total > 0 && minutes > 0 ? outcome.total / minutes : state.rowsPerMinute,
    wideGaveUpFromMs: result.wideGaveUp ? plan.widenTo : state.wideGaveUpFromMs,
  };
  // A first run that did not finish counts its history again next time: no backlog notice until it is settled.
  if (!next.scanned)
    return {
      state: { ...next, frontierMs: null, pendingRanges: [] },
      events: [...decisions.events.filter((e) => e.kind !== 'backlog'), ...(health.event ? [health.event] : [])],
    };
  const events = [...(blind ? [blind] : []), ...decisions.events, ...(health.event ? [health.event] : [])];
  return { state: next, events };
}

/** The run's line in the state's history, kept for `status`. */
export function withRun(state: MonitorState, run: MonitorState['runs'][number]): MonitorState {
  return { ...state, runs: [...state.runs, run].slice(-RUNS_KEPT) };
}
