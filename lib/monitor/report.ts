import type { AutoRefreshReport } from '../autorefresh/submit';
import type { AlertEvent } from '../events/schema';
import type { StateIo } from '../state/errors';
import { type MonitorState, RUNS_KEPT } from '../state/schema';
import type { PolicyPart } from './apply-policy';
import type { Delivery } from './deliver-all';
import type { LoadStage } from './load';
import type { ReadStage } from './read';
import type { MonitorDeps, RunOptions, RunReport } from './types';

/** What each stage of a run returns for the report: the one place a report is assembled from them. */
export interface RunParts {
  readonly loaded: LoadStage['report'];
  readonly read: ReadStage;
  /** Every event the run decided (before mutes held some back). */
  readonly decided: readonly AlertEvent[];
  /** The alerting file's part (lib/monitor/apply-policy.ts): a refused file's problems, what mutes hold. */
  readonly policy: PolicyPart;
  readonly resubmitted: AutoRefreshReport | null;
  readonly delivery: Delivery | null;
  readonly dropped: number;
  /** The problems the run met with its state files, and whether its last save reached where the state belongs. */
  readonly stateIo: { readonly problems: readonly StateIo[]; readonly saved: boolean };
  readonly apiCalls: number;
  readonly startedMs: number;
}

/** The run's report, from what its stages returned and the state it ends with. */
export function assembleReport(deps: MonitorDeps, state: MonitorState, p: RunParts, options: RunOptions): RunReport {
  const { result, decisions } = p.read;
  const count = (kind: string) => p.decided.filter((e) => e.kind === kind).length;
  const stopped = p.delivery?.stoppedBy ?? null;
  // A refused alerting file degrades the run: its alerts still go out, but to the environment's robot.
  const degraded = result.status === 'down' || stopped !== null || p.stateIo.problems.length > 0 || p.policy.alertingProblem !== null;
  const stateNote = {
    ...(p.loaded.migratedFrom ? { migratedFrom: p.loaded.migratedFrom } : {}),
    ...(p.loaded.reset ? { reset: p.loaded.reset } : {}),
    ...(p.stateIo.problems.length
      ? { problems: p.stateIo.problems.map((io) => `${io.op} ${io.file}: ${io.errno}`), savedWhereItBelongs: p.stateIo.saved }
      : {}),
  };
  return {
    status: degraded ? 'degraded' : 'ok',
    dryRun: options.dryRun,
    read: readPart(p.read, state),
    verdicts: decisions.verdicts,
    failures: { new: count('failed'), backlog: p.decided.reduce((a, e) => a + (e.kind === 'backlog' ? e.count : 0), 0) },
    stuck: count('stuck'),
    recovered: count('recovered'),
    alerts: {
      messagesSent: p.delivery?.sent ?? 0,
      delivered: p.delivery?.delivered.size ?? 0,
      pending: state.outbox.length,
      uncertain: p.delivery?.uncertain.size ?? 0,
      dropped: p.dropped,
      ...(stopped ? { error: stopped } : {}),
      ...(p.delivery && deps.alerting.receivers.size > 1 ? { receivers: p.delivery.receivers } : {}),
    },
    health: state.health.status,
    clockSkewMs: p.read.skewMs,
    apiCalls: p.apiCalls,
    durationMs: deps.now() - p.startedMs,
    ...(Object.keys(stateNote).length ? { state: stateNote } : {}),
    ...(p.resubmitted ? { autoRefresh: p.resubmitted } : {}),
    ...(deps.alerting.source !== null || p.policy.alertingProblem !== null ? { policy: p.policy } : {}),
  };
}

function readPart(read: ReadStage, state: MonitorState): RunReport['read'] {
  const { result, decisions, plan } = read;
  const outcomes = [...result.ranges.values()];
  const fresh = result.ranges.get(plan.ranges[0]!);
  const mode = `${plan.firstRun ? 'first' : 'incremental'}/${fresh?.mode ?? 'none'}${plan.widenTo !== null && fresh?.range.startMs === plan.widenTo ? '+widened' : ''}${plan.ranges.length > 1 ? `+${plan.ranges.length - 1} older range(s)` : ''}`;
  return {
    status: result.status,
    mode,
    settled: result.status === 'complete',
    rangesPending: state.pendingRanges.length,
    frontier: state.frontierMs === null ? null : new Date(state.frontierMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    rows: Object.values(decisions.verdicts).reduce((a, n) => a + n, 0),
    pendingExpected: outcomes.reduce((a, o) => a + o.pendingExpected, 0),
    pendingFound: outcomes.reduce((a, o) => a + o.pendingFound, 0),
    lookups: result.watched?.lookups ?? 0,
    recoveryChecks: result.recoveries?.checked ?? 0,
    recoveryChecksWaiting: result.recoveries?.waiting ?? 0,
    throttled: read.reader.throttled,
    ratePerSecond: read.pacer.ratePerSecond,
    countMismatches: read.reader.discrepancies.length,
    ...(result.error ? { error: { code: result.error.code, message: result.error.message } } : {}),
  };
}

/** The read part of a report for a run that read nothing. */
export const NOTHING_READ: RunReport['read'] = {
  status: 'none',
  mode: 'none',
  settled: false,
  rangesPending: 0,
  frontier: null,
  rows: 0,
  pendingExpected: 0,
  pendingFound: 0,
  lookups: 0,
  recoveryChecks: 0,
  recoveryChecksWaiting: 0,
  throttled: 0,
  ratePerSecond: 0,
  countMismatches: 0,
};

/** The report of a run that read nothing (skipped, a duplicate event). */
export function reportWithoutRead(f: {
  status: RunReport['status'];
  reason: string;
  dryRun: boolean;
  health: RunReport['health'];
  durationMs: number;
  sent?: number;
}): RunReport {
  const sent = f.sent ?? 0;
  return {
    status: f.status,
    reason: f.reason,
    dryRun: f.dryRun,
    read: NOTHING_READ,
    verdicts: {} as RunReport['verdicts'],
    failures: { new: 0, backlog: 0 },
    stuck: 0,
    recovered: 0,
    alerts: { messagesSent: sent, delivered: sent, pending: 0, uncertain: 0, dropped: 0 },
    health: f.health,
    clockSkewMs: 0,
    apiCalls: 0,
    durationMs: f.durationMs,
  };
}

/** The state with this run's line in its history (kept for `status`). */
export function withRun(state: MonitorState, r: RunReport, startedMs: number): MonitorState {
  const run = {
    atMs: startedMs,
    durationMs: r.durationMs,
    status: r.status,
    apiCalls: r.apiCalls,
    newFailures: r.failures.new,
    pendingAlerts: r.alerts.pending,
    readComplete: r.read.status === 'complete',
  };
  return { ...state, runs: [...state.runs, run].slice(-RUNS_KEPT) };
}
