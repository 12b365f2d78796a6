import { checkedTo } from '../decide/coverage';
import { failedKey, reminderKey } from '../events/keys';
import type { AlertEvent } from '../events/schema';
import { domainOf } from '../identity';
import type { MonitorState } from '../state/schema';
import { formatApiTime } from '../vod/time';
import type { AlertingPlan } from './load';

/**
 * Reminders for failed URLs still not refreshed successfully (no later Complete row seen on the same URL): every
 * `every`, at most `max` times, stopping when the URL recovers. Only failures on-call was told of one by one (not
 * those a mute held back), and only URLs this run checked for a recovery up to its frontier (`readOk`: the API was
 * read): a URL that could not be checked waits for a run that can. Pure.
 */
export function dueReminders(state: MonitorState, plan: AlertingPlan, nowMs: number, readOk: boolean): { state: MonitorState; events: AlertEvent[] } {
  const cfg = plan.reminders;
  if (!cfg || !readOk) return { state, events: [] };
  const frontier = state.frontierMs ?? Number.POSITIVE_INFINITY;
  const reminders: MonitorState['reminders'] = {};
  const events: AlertEvent[] = [];
  for (const [path, f] of Object.entries(state.failedPaths)) {
    const told = state.reminders[path] ?? { count: 0, lastMs: f.createdAtMs };
    reminders[path] = told;
    const key = failedKey(f.key);
    if (state.reported[key] === undefined || state.heldKeys[key] !== undefined || checkedTo(f, state.recoveryCoverage) < frontier) continue;
    if (told.count >= cfg.max || nowMs - told.lastMs < cfg.everyMs) continue;
    const count = told.count + 1;
    reminders[path] = { count, lastMs: nowMs };
    events.push({
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
      max: cfg.max,
    });
  }
  return { state: { ...state, reminders }, events };
}

/** Failed paths whose reminder is due: checked for a recovery first, so nobody is reminded of what is fixed. */
export function remindersDue(state: MonitorState, plan: AlertingPlan, nowMs: number): string[] {
  const cfg = plan.reminders;
  if (!cfg) return [];
  return Object.entries(state.failedPaths)
    .filter(([path, f]) => {
      const told = state.reminders[path] ?? { count: 0, lastMs: f.createdAtMs };
      return told.count < cfg.max && nowMs - told.lastMs >= cfg.everyMs;
    })
    .map(([path]) => path);
}
