import { type AutoRefreshReport, runAutoRefresh } from '../autorefresh/submit';
import { pruneReported } from '../decide/retention';
import { DEFAULT_RETRY } from '../retry';
import { StateError } from '../state/errors';
import type { MonitorState } from '../state/schema';
import { alertingStage } from './apply-policy';
import { type Delivery, deliverAll, previewAll } from './deliver-all';
import { enqueue, record } from './outbox';
import { decideStage, loadState, type ReadStage, readStage, withRun } from './stages';
import { type MonitorDeps, type RunOptions, type RunReport, reportWithoutRead } from './types';
import { reportStateUnwritable } from './unwritable';

export { renderOptionsOf } from './deliver-all';
export type { MonitorDeps, RunOptions, RunReport } from './types';

function quietReport(status: 'skipped' | 'duplicate', reason: string, options: RunOptions, health: 'ok' | 'down', startedMs: number, nowMs: number): RunReport {
  return reportWithoutRead({ status, reason, dryRun: options.dryRun, health, durationMs: nowMs - startedMs });
}

/**
 * One monitoring pass, as its stages: lock -> load -> plan and read (rows decided as they arrive) -> decide ->
 * enqueue -> save (the outbox is durable before anything is sent) -> deliver -> record -> save. A crash at any
 * point repeats an alert at worst; none is lost. A dry run takes no lock, changes no file and sends nothing.
 */
export async function runMonitor(deps: MonitorDeps, options: RunOptions): Promise<RunReport> {
  const startedMs = deps.now();
  try {
    if (!options.dryRun) {
      const lock = await deps.store.lock(deps.budget.lockTtlMs, startedMs);
      if (!lock.held) {
        deps.logger.warn({ event: 'run-skipped', reason: 'locked', holder: lock.holder }, 'another run holds the state lock; this run does nothing');
        return quietReport('skipped', 'another run holds the state lock', options, 'ok', startedMs, deps.now());
      }
    }
    try {
      return await pass(deps, options, startedMs);
    } finally {
      if (!options.dryRun) await deps.store.unlock().catch(() => undefined);
    }
  } catch (err) {
    if (err instanceof StateError && err.code === 'StateIo') return reportStateUnwritable(deps, options, err, startedMs);
    throw err;
  }
}

async function pass(deps: MonitorDeps, options: RunOptions, startedMs: number): Promise<RunReport> {
  const loaded = await loadState(deps, options, startedMs);
  if (options.triggerTime && loaded.state.lastTrigger === options.triggerTime) {
    deps.logger.info({ event: 'run-skipped', reason: 'duplicate', triggerTime: options.triggerTime }, 'this timer event was already handled');
    return quietReport('duplicate', `timer event ${options.triggerTime} was already handled`, options, loaded.state.health.status, startedMs, deps.now());
  }
  const callsBefore = deps.apiCalls();
  const read = await readStage(deps, loaded.state);
  const decided = await decideStage(deps, loaded.state, read, startedMs);
  const alerting = alertingStage(deps, decided.state, decided.events, read);
  let state = enqueue(alerting.state, alerting.events, deps.now());
  const base: ReportBase = { read, decided: alerting.events, loaded, apiCalls: () => deps.apiCalls() - callsBefore, startedMs };
  if (options.dryRun) return { ...report(deps, state, base, null, options), preview: previewAll(deps, state) };
  await deps.store.save(state);
  state = await resubmitStage(deps, state, read, base);
  const delivery = await deliverAll(deps, state);
  const recorded = recordStage(deps, state, delivery, options);
  state = recorded.state;
  base.dropped = recorded.dropped;
  const r = report(deps, state, base, delivery, options);
  state = withRun(state, {
    atMs: startedMs,
    durationMs: deps.now() - startedMs,
    status: r.status,
    apiCalls: r.apiCalls,
    newFailures: r.failures.new,
    pendingAlerts: r.alerts.pending,
    readComplete: r.read.status === 'complete',
  });
  await deps.store.save(state);
  return r;
}

/** Re-submits the failed URLs that are due (AUTO_REFRESH=on), saving what it did; the report notes it. */
async function resubmitStage(deps: MonitorDeps, state: MonitorState, read: ReadStage, base: ReportBase): Promise<MonitorState> {
  if (!deps.config.autoRefresh.enabled || !deps.writer) return state;
  const resubmitted = await autoRefreshStage(deps, state, read);
  const next = enqueue(resubmitted.state, resubmitted.events, deps.now());
  base.autoRefresh = resubmitted.report;
  if (resubmitted.events.length || resubmitted.report.submitted) await deps.store.save(next);
  return next;
}

/** What the robots confirmed leaves the outbox; what was given up is said in the log. */
function recordStage(deps: MonitorDeps, state: MonitorState, delivery: Delivery, options: RunOptions): { state: MonitorState; dropped: number } {
  const recorded = record(state, delivery, deps.now());
  const kept = pruneReported(recorded.state);
  recorded.state = kept.state;
  if (kept.pruned > 0)
    deps.logger.info(
      { event: 'reported-pruned', pruned: kept.pruned, floor: new Date(kept.state.reportedFloorMs!).toISOString() },
      'delivered keys of rows no run reads again were let go',
    );
  for (const key of recorded.unconfirmed)
    deps.logger.warn({ event: 'alert-unconfirmed', key }, 'an alert timed out twice; it counts as delivered (it may have arrived twice, or not at all)');
  for (const key of recorded.dropped)
    deps.logger.error({ event: 'alert-dropped', key }, 'an alert the robot refused three runs in a row was dropped; a notice says so');
  return { state: { ...recorded.state, lastTrigger: options.triggerTime ?? recorded.state.lastTrigger }, dropped: recorded.dropped.length };
}

/** Re-submits the failed URLs that are due (AUTO_REFRESH=on), on the run's pacer and within its read deadline. */
function autoRefreshStage(deps: MonitorDeps, state: MonitorState, read: Pick<ReadStage, 'runPacer' | 'apiNowMs'>) {
  return runAutoRefresh(
    {
      api: deps.writer!,
      pacer: read.runPacer,
      retryPolicy: deps.retryPolicy ?? DEFAULT_RETRY,
      deadlineMs: deps.budget.readUntilMs,
      settings: deps.config.autoRefresh,
      save: (s) => deps.store.save(s),
      now: deps.now,
      sleep: deps.sleep,
      random: deps.random,
      logger: deps.logger,
    },
    state,
    read.apiNowMs,
  );
}

interface ReportBase {
  read: ReadStage;
  decided: ReadonlyArray<{ kind: string }>;
  loaded: { migratedFrom: number | null; reset: string | null };
  apiCalls: () => number;
  startedMs: number;
  autoRefresh?: AutoRefreshReport | undefined;
  dropped?: number;
}

function report(deps: MonitorDeps, state: MonitorState, b: ReportBase, delivery: Delivery | null, options: RunOptions): RunReport {
  const { result, decisions, plan } = b.read;
  const outcomes = [...result.ranges.values()];
  const fresh = result.ranges.get(plan.ranges[0]!);
  const count = (kind: string) => b.decided.filter((e) => e.kind === kind).length;
  const degraded = result.status === 'down' || (delivery?.stoppedBy !== null && delivery?.stoppedBy !== undefined);
  const stateNote = { ...(b.loaded.migratedFrom ? { migratedFrom: b.loaded.migratedFrom } : {}), ...(b.loaded.reset ? { reset: b.loaded.reset } : {}) };
  return {
    status: degraded ? 'degraded' : 'ok',
    dryRun: options.dryRun,
    read: {
      status: result.status,
      mode: `${plan.firstRun ? 'first' : 'incremental'}/${fresh?.mode ?? 'none'}${plan.widenTo !== null && fresh?.range.startMs === plan.widenTo ? '+widened' : ''}${plan.ranges.length > 1 ? `+${plan.ranges.length - 1} older range(s)` : ''}`,
      settled: result.status === 'complete',
      rangesPending: state.pendingRanges.length,
      frontier: state.frontierMs === null ? null : new Date(state.frontierMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      rows: Object.values(decisions.verdicts).reduce((a, n) => a + n, 0),
      pendingExpected: outcomes.reduce((a, o) => a + o.pendingExpected, 0),
      pendingFound: outcomes.reduce((a, o) => a + o.pendingFound, 0),
      lookups: result.watched?.lookups ?? 0,
      recoveryChecks: result.recoveries?.checked ?? 0,
      recoveryChecksWaiting: result.recoveries?.waiting ?? 0,
      throttled: b.read.reader.throttled,
      ratePerSecond: b.read.pacer.ratePerSecond,
      countMismatches: b.read.reader.discrepancies.length,
      ...(result.error ? { error: { code: result.error.code, message: result.error.message } } : {}),
    },
    verdicts: decisions.verdicts,
    failures: { new: count('failed'), backlog: b.decided.filter((e) => e.kind === 'backlog').reduce((a, e) => a + ((e as { count?: number }).count ?? 0), 0) },
    stuck: count('stuck'),
    recovered: count('recovered'),
    alerts: {
      messagesSent: delivery?.sent ?? 0,
      delivered: delivery?.delivered.size ?? 0,
      pending: state.outbox.length,
      uncertain: delivery?.uncertain.size ?? 0,
      dropped: b.dropped ?? 0,
      ...(delivery?.stoppedBy ? { error: delivery.stoppedBy } : {}),
      ...(delivery && deps.alerting.receivers.size > 1 ? { receivers: delivery.receivers } : {}),
    },
    health: state.health.status,
    clockSkewMs: b.read.skewMs,
    apiCalls: b.apiCalls(),
    durationMs: deps.now() - b.startedMs,
    ...(Object.keys(stateNote).length ? { state: stateNote } : {}),
    ...(b.autoRefresh ? { autoRefresh: b.autoRefresh } : {}),
  };
}
