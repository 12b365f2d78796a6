import { scheduleRetries } from '../autorefresh/plan';
import { isGoodRun } from '../decide/good-run';
import { noticeKey } from '../events/keys';
import type { AlertEvent } from '../events/schema';
import { accumulate, buildDigests, countingFrom, countRun, digestDue } from '../policy/digest';
import { activeMutes, applyMutes } from '../policy/mute';
import { dueReminders } from '../policy/remind';
import type { MonitorState } from '../state/schema';
import { shanghaiTime } from '../time';
import type { ReadStage } from './read';
import type { MonitorDeps, RunReport } from './types';

/** The alerting file's part of a run report. */
export type PolicyPart = NonNullable<RunReport['policy']>;

/** A refused alerting file: said once a day, and kept in the state (since when) for `status` and `doctor`. */
function refusedFile(deps: MonitorDeps, state: MonitorState, nowMs: number): { state: MonitorState; events: AlertEvent[] } {
  const problem = deps.alertingProblem ?? null;
  if (!problem) return { state: state.alertingProblem ? { ...state, alertingProblem: null } : state, events: [] };
  const sinceMs = state.alertingProblem?.sinceMs ?? nowMs;
  const event: AlertEvent = {
    kind: 'notice',
    key: noticeKey('alerting-config', { day: shanghaiTime(nowMs).slice(0, 10) }),
    code: 'AlertingConfigInvalid',
    message: `${problem}. Until it is fixed every alert goes to the robot of DINGTALK_WEBHOOK (or WECOM_WEBHOOK, ALERT_WEBHOOK_URL).`,
  };
  return { state: { ...state, alertingProblem: { sinceMs, problem } }, events: [event] };
}

/** What the run report says of the alerting file: its problems, what mutes held this run, what each active mute holds. */
function policyPart(deps: MonitorDeps, state: MonitorState, nowMs: number, heldThisRun: number): PolicyPart {
  return { alertingProblem: deps.alertingProblem ?? null, heldThisRun, mutes: activeMutes(state, deps.alerting, nowMs) };
}

/**
 * What the run's decisions become before they join the outbox, all pure and on the API's clock (every time the
 * alerting file sets is read on it): automatic retries planned on failures, reminders for what stays broken, mutes
 * holding back what they match (and summing up windows that ended), the counts for the daily digest, and the digest
 * itself when it is due. `decided` is every event before mutes held some back (what the run found); `events` what
 * goes to the outbox; `policy` the report's part.
 */
export function applyPolicyStage(
  deps: MonitorDeps,
  state: MonitorState,
  decided: readonly AlertEvent[],
  read: Pick<ReadStage, 'apiNowMs' | 'account' | 'result'>,
): { state: MonitorState; events: AlertEvent[]; decided: AlertEvent[]; policy: PolicyPart } {
  const plan = deps.alerting;
  const nowMs = read.apiNowMs;
  const auto = deps.config.autoRefresh;
  let s = state;
  let events = [...decided];
  if (auto.enabled) {
    const scheduled = scheduleRetries(s.autoRefresh, events, nowMs, auto);
    s = { ...s, autoRefresh: scheduled.auto };
    events = scheduled.events;
  }
  const refused = refusedFile(deps, s, nowMs);
  events.push(...refused.events);
  s = { ...refused.state, daily: countingFrom(refused.state.daily, plan, Boolean(deps.alertingProblem), nowMs) };
  const reminders = dueReminders(s, plan, nowMs, read.result.status !== 'down', auto.enabled);
  const all = [...events, ...reminders.events];
  const muted = applyMutes(reminders.state, all, plan, nowMs);
  // The digest counts every failure, the muted ones too: it is the day's summary, not a stream.
  s = { ...muted.state, daily: accumulate(muted.state.daily, muted.events, muted.held, plan) };
  events = muted.events;
  const day = digestDue(s.daily, plan, nowMs);
  if (day) {
    const at = { nowMs, day, account: read.account, stuckAfterMs: deps.config.stuckAfterMs, blindAfterMs: deps.config.blindAfterMs };
    const digests = buildDigests(s, plan, at);
    s = digests.state;
    events = [...events, ...digests.events];
  }
  return { state: s, events, decided: all, policy: policyPart(deps, s, nowMs, muted.held.length) };
}

/**
 * The same policy for what re-submission added (its events exist only after its calls): mutes hold back the
 * re-submissions they match, and the digest counts them. Pure.
 */
export function policyOnResubmitted(
  deps: MonitorDeps,
  state: MonitorState,
  events: readonly AlertEvent[],
  read: Pick<ReadStage, 'apiNowMs'>,
  before: PolicyPart,
): { state: MonitorState; events: AlertEvent[]; policy: PolicyPart } {
  if (events.length === 0) return { state, events: [], policy: before };
  const muted = applyMutes(state, events, deps.alerting, read.apiNowMs);
  const s = { ...muted.state, daily: accumulate(muted.state.daily, muted.events, muted.held, deps.alerting) };
  return { state: s, events: muted.events, policy: policyPart(deps, s, read.apiNowMs, before.heldThisRun + muted.held.length) };
}

/** The run, counted for the digest once it has ended, as a good run (lib/decide/good-run.ts) or not. Pure. */
export function countRunStage(deps: MonitorDeps, state: MonitorState, report: RunReport, read: Pick<ReadStage, 'apiNowMs'>): MonitorState {
  return { ...state, daily: countRun(state.daily, { good: isGoodRun(report), atMs: read.apiNowMs }, deps.config.blindAfterMs) };
}
