import { scheduleRetries } from '../autorefresh/plan';
import { noticeKey } from '../events/keys';
import type { AlertEvent } from '../events/schema';
import { accumulate, buildDigests, digestDue } from '../policy/digest';
import { applyMutes } from '../policy/mute';
import { dueReminders } from '../policy/remind';
import type { MonitorState } from '../state/schema';
import { shanghaiTime } from '../time';
import type { ReadStage } from './read';
import type { MonitorDeps } from './types';

/**
 * What the run's decisions become before they join the outbox, all pure: automatic retries planned on failures,
 * reminders for what stays broken, mutes holding back what they match (and summing up windows that ended), the
 * counts for the daily digest, and the digest itself when it is due. `decided` is every event before mutes held some
 * back (what the run found); `events` what goes to the outbox.
 */
export function applyPolicyStage(
  deps: MonitorDeps,
  state: MonitorState,
  decided: readonly AlertEvent[],
  read: Pick<ReadStage, 'apiNowMs' | 'account' | 'result'>,
): { state: MonitorState; events: AlertEvent[]; decided: AlertEvent[] } {
  const plan = deps.alerting;
  const nowMs = read.apiNowMs;
  let s = state;
  let events = [...decided];
  if (deps.config.autoRefresh.enabled) {
    const scheduled = scheduleRetries(s.autoRefresh, events, nowMs, deps.config.autoRefresh);
    s = { ...s, autoRefresh: scheduled.auto };
    events = scheduled.events;
  }
  if (deps.alertingProblem) {
    events.push({
      kind: 'notice',
      key: noticeKey('alerting-config', { day: shanghaiTime(nowMs).slice(0, 10) }),
      code: 'AlertingConfigInvalid',
      message: `${deps.alertingProblem}. Until it is fixed every alert goes to the robot of DINGTALK_WEBHOOK (or WECOM_WEBHOOK, ALERT_WEBHOOK_URL).`,
    });
  }
  const reminders = dueReminders(s, plan, nowMs, read.result.status !== 'down');
  const all = [...events, ...reminders.events];
  const muted = applyMutes(reminders.state, all, plan, nowMs);
  // The digest counts every failure, the muted ones too: it is the day's summary, not a stream.
  s = { ...muted.state, daily: accumulate(muted.state.daily, events, plan, { ok: read.result.status !== 'down' }) };
  events = muted.events;
  const day = digestDue(s.daily, plan, deps.now());
  if (day) {
    const digests = buildDigests(s, plan, deps.now(), read.account, deps.config.stuckAfterMs, day);
    s = digests.state;
    events = [...events, ...digests.events];
  }
  return { state: s, events, decided: all };
}
