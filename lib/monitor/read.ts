import type { Config } from '../config';
import type { Decisions } from '../decide/ledger';
import { Ledger } from '../decide/ledger';
import type { EventOf } from '../events/schema';
import { domainOf } from '../identity';
import { watchLimitNotice } from '../notify/hints';
import { accountCounts, digestDue } from '../policy/digest';
import { remindersDue } from '../policy/remind';
import { type ReadResult, readPlanned } from '../read';
import { planRead, type ReadPlan } from '../read/plan';
import { DEFAULT_RETRY } from '../retry';
import type { MonitorState } from '../state/schema';
import { createReader } from '../vod/factory';
import type { Pacer, PacerStats } from '../vod/pacer';
import type { ReaderStats } from '../vod/reader';
import type { RefreshTask } from '../vod/types';
import type { MonitorDeps } from './types';

/** Lookup calls a run makes at most for watched rows crossing the stuck threshold. */
export const MAX_LOOKUPS = 200;
/** Failed paths checked for a recovery at most, per run (recoveries are good news: they may wait for quieter runs). */
export const MAX_RECOVERY_CHECKS = 3;
/** A range of at most this many pages is read whole rather than by Status filters. */
export const WHOLE_READ_MAX_PAGES = 10;

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
  const priority = remindersDue(state, deps.alerting, clock.now(), config.autoRefresh.enabled);
  const result = await readPlanned(reader, plan, state, ledger, { ...settings, priorityPaths: priority }, clock.now(), deps.logger);
  const account = digestDue(state.daily, deps.alerting, clock.now()) && result.status !== 'down' ? await accountCounts(reader, clock.now()) : null;
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
