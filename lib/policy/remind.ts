import { retryInFlight } from '../autorefresh/plan';
import { checkedTo } from '../decide/coverage';
import { failedKey, reminderKey } from '../events/keys';
import type { AlertEvent } from '../events/schema';
import { domainOf } from '../identity';
import type { FailedPath, MonitorState } from '../state/schema';
import { formatApiTime } from '../vod/time';
import type { AlertingPlan } from './load';

type Reminders = MonitorState['reminders'];

/**
 * How much earlier than `every` a run may remind: the timer fires at the same second each time, and an alert is
 * delivered a few seconds into its run, so without it the run exactly `every` later would always be a few seconds
 * short, and every reminder one run late.
 */
export const RUN_SLACK_MS = 60_000;
const isDue = (told: { lastMs: number }, everyMs: number, nowMs: number) => nowMs - told.lastMs >= everyMs - RUN_SLACK_MS;

/** Whether the URL's failure is one on-call was told of one by one (not held back by a mute). */
const toldOneByOne = (state: MonitorState, f: FailedPath) => state.reported[failedKey(f.key)] !== undefined && state.heldKeys[failedKey(f.key)] === undefined;

/**
 * Reminders count from when on-call was told: each failure whose alert was delivered now (`apiNowMs`, the API's
 * clock) begins its interval, with no reminder told yet. A delivered alert of a failure the URL no longer holds (a
 * later failure replaced it) changes nothing. Pure.
 */
export function remindFromDelivery(state: MonitorState, delivered: readonly AlertEvent[], apiNowMs: number): Reminders {
  let reminders: Reminders | null = null;
  for (const e of delivered) {
    if (e.kind !== 'failed') continue;
    const f = state.failedPaths[e.task.objectPath];
    if (!f || failedKey(f.key) !== e.key) continue;
    reminders ??= { ...state.reminders };
    reminders[e.task.objectPath] = { count: 0, lastMs: apiNowMs };
  }
  return reminders ?? state.reminders;
}

/**
 * Reminders for failed URLs still not refreshed successfully (no later Complete row seen on the same URL): every
 * `every` from when on-call was told (less RUN_SLACK_MS), at most `max` times, stopping when the URL recovers. Only failures on-call was
 * told of one by one (not those a mute held back), and only URLs this run checked for a recovery up to its frontier
 * (`readOk`: the API was read): a URL that could not be checked waits for a run that can. While the monitor re-submits
 * the URL itself (`autoRefresh`: AUTO_REFRESH=on, lib/autorefresh/plan.ts retryInFlight), no reminder: the interval
 * begins again when it stops. Pure; `nowMs` is the API's clock.
 */
export function dueReminders(
  state: MonitorState,
  plan: AlertingPlan,
  nowMs: number,
  readOk: boolean,
  autoRefresh = false,
): { state: MonitorState; events: AlertEvent[] } {
  const cfg = plan.reminders;
  const reminders: Reminders = {};
  const events: AlertEvent[] = [];
  const frontier = state.frontierMs ?? Number.POSITIVE_INFINITY;
  for (const [path, f] of Object.entries(state.failedPaths)) {
    if (!toldOneByOne(state, f)) continue;
    // Told by a build that did not record when: the interval begins now (late rather than early).
    const told = state.reminders[path] ?? { count: 0, lastMs: nowMs };
    reminders[path] = told;
    if (autoRefresh && retryInFlight(state.autoRefresh, path)) {
      reminders[path] = { ...told, lastMs: Math.max(told.lastMs, nowMs) };
      continue;
    }
    if (!cfg || !readOk || checkedTo(f, state.recoveryCoverage) < frontier || told.count >= cfg.max || !isDue(told, cfg.everyMs, nowMs)) continue;
    const count = told.count + 1;
    reminders[path] = { count, lastMs: nowMs };
    events.push(reminderOf(path, f, count, cfg.max));
  }
  return { state: { ...state, reminders }, events };
}

function reminderOf(path: string, f: FailedPath, count: number, max: number): AlertEvent {
  return {
    kind: 'reminder',
    key: reminderKey(f.key, count),
    task: {
      taskId: f.taskId,
      objectPath: path,
      objectType: f.objectType,
      status: 'Failed',
      description: f.description,
      creationTime: formatApiTime(f.createdAtMs),
      domain: domainOf(path),
    },
    count,
    max,
  };
}

/** Failed paths whose reminder is due: checked for a recovery first, so nobody is reminded of what is fixed. */
export function remindersDue(state: MonitorState, plan: AlertingPlan, nowMs: number, autoRefresh = false): string[] {
  const cfg = plan.reminders;
  if (!cfg) return [];
  return Object.entries(state.failedPaths)
    .filter(([path, f]) => {
      const told = state.reminders[path] ?? { count: 0, lastMs: nowMs };
      if (!toldOneByOne(state, f) || (autoRefresh && retryInFlight(state.autoRefresh, path))) return false;
      return told.count < cfg.max && isDue(told, cfg.everyMs, nowMs);
    })
    .map(([path]) => path);
}
