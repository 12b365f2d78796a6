import fc from 'fast-check';
import { loadConfig } from '../../lib/config';
import { failedKey, reminderKey } from '../../lib/events/keys';
import type { AlertEvent } from '../../lib/events/schema';
import type { AlertingPlan } from '../../lib/policy/load';
import { dueReminders, RUN_SLACK_MS, remindersDue, remindFromDelivery } from '../../lib/policy/remind';
import { emptyState, type FailedPath, type MonitorState, type RetryEntry } from '../../lib/state/schema';
import { formatApiTime } from '../../lib/vod/time';

const config = loadConfig({ DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=t' });
const T0 = Date.parse('2026-11-30T02:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const EVERY = 4 * HOUR;
const PATH = 'http://v.example.com/a.mp4';
const ROW = `7001 ${PATH}`;

const plan = (reminders: AlertingPlan['reminders'] = { everyMs: EVERY, max: 3 }): AlertingPlan => ({
  receivers: new Map([['a', { name: 'a', alert: config.alert }]]),
  routes: [],
  defaultReceiver: 'a',
  reminders,
  mutes: [],
  digest: null,
  source: 'test',
});
const failedPath = (over: Partial<FailedPath> = {}): FailedPath => ({
  key: ROW,
  taskId: '7001',
  objectType: 'file',
  createdAtMs: T0 - 10 * MIN,
  description: 'Origin Timeout',
  checkedToMs: T0 + 10 * HOUR,
  ...over,
});
/** A failure on-call was told of at T0, the run's frontier reached by its recovery check. */
const told = (over: Partial<MonitorState> = {}): MonitorState => ({
  ...emptyState(0),
  frontierMs: T0 + 5 * HOUR,
  failedPaths: { [PATH]: failedPath() },
  reported: { [failedKey(ROW)]: T0 + 3 * 86_400_000 },
  reminders: { [PATH]: { count: 0, lastMs: T0 } },
  ...over,
});
const failedEvent = (row = ROW): AlertEvent => ({
  kind: 'failed',
  key: failedKey(row),
  task: { taskId: '7001', objectPath: PATH, objectType: 'file', status: 'Failed', description: null, creationTime: null, domain: 'v.example.com' },
});
const retrying = (stopped: string | null): MonitorState['autoRefresh'] => ({
  ...emptyState(0).autoRefresh,
  retries: { [PATH]: { stopped } as RetryEntry },
});

describe('remindFromDelivery: the interval begins when on-call is told', () => {
  it('a delivered failure the URL still holds starts at no reminder, on the given clock', () => {
    const s = told({ reminders: {} });
    expect(remindFromDelivery(s, [failedEvent()], T0 + MIN)).toEqual({ [PATH]: { count: 0, lastMs: T0 + MIN } });
  });

  it("the other URLs' intervals go on as they were", () => {
    const other = { count: 2, lastMs: T0 - HOUR };
    const s = told({ reminders: { 'http://v.example.com/b.mp4': other } });
    expect(remindFromDelivery(s, [failedEvent()], T0 + MIN)).toEqual({ 'http://v.example.com/b.mp4': other, [PATH]: { count: 0, lastMs: T0 + MIN } });
  });

  it('anything else changes nothing, and returns the same reminders', () => {
    const s = told();
    const notice: AlertEvent = { kind: 'notice', key: 'notice:x', code: 'X', message: 'm' };
    expect(remindFromDelivery(s, [notice, failedEvent('7000 older row')], T0 + MIN)).toBe(s.reminders);
    expect(remindFromDelivery({ ...s, failedPaths: {} }, [failedEvent()], T0 + MIN)).toBe(s.reminders);
  });
});

describe('dueReminders', () => {
  it(`reminds every interval (a run early by up to ${RUN_SLACK_MS / MIN} min), up to the cap`, () => {
    let s = told();
    const at = (ms: number) => {
      const r = dueReminders(s, plan(), ms, true);
      s = r.state;
      return r.events;
    };
    expect(at(T0 + EVERY - RUN_SLACK_MS - 1)).toEqual([]);
    const [first] = at(T0 + EVERY - RUN_SLACK_MS);
    expect(first).toEqual({
      kind: 'reminder',
      key: reminderKey(ROW, 1),
      task: {
        taskId: '7001',
        objectPath: PATH,
        objectType: 'file',
        status: 'Failed',
        description: 'Origin Timeout',
        creationTime: formatApiTime(T0 - 10 * MIN),
        domain: 'v.example.com',
      },
      count: 1,
      max: 3,
    });
    expect(s.reminders[PATH]).toEqual({ count: 1, lastMs: T0 + EVERY - RUN_SLACK_MS });
    const t1 = T0 + EVERY - RUN_SLACK_MS;
    expect(at(t1 + EVERY - RUN_SLACK_MS)).toEqual([expect.objectContaining({ count: 2 })]);
    expect(at(t1 + 3 * EVERY)).toEqual([expect.objectContaining({ count: 3, key: reminderKey(ROW, 3) })]);
    expect(at(t1 + 10 * EVERY)).toEqual([]);
    expect(s.reminders[PATH]!.count).toBe(3);
  });

  it('no reminders configured, or a run that could not read: none, and the intervals are kept', () => {
    const s = told();
    for (const [p, readOk] of [
      [plan(null), true],
      [plan(), false],
    ] as const) {
      const r = dueReminders(s, p, T0 + 2 * EVERY, readOk);
      expect(r.events).toEqual([]);
      expect(r.state.reminders).toEqual(s.reminders);
    }
  });

  it('a URL not checked for a recovery up to the frontier waits for a run that checks it', () => {
    const unchecked = told({ failedPaths: { [PATH]: failedPath({ checkedToMs: T0 + 5 * HOUR - 1 }) } });
    expect(dueReminders(unchecked, plan(), T0 + EVERY, true).events).toEqual([]);
    const checked = told({ failedPaths: { [PATH]: failedPath({ checkedToMs: T0 + 5 * HOUR }) } });
    expect(dueReminders(checked, plan(), T0 + EVERY, true).events).toHaveLength(1);
    // the whole reads since carry the check on
    const covered = { ...unchecked, recoveryCoverage: { fromMs: T0, toMs: T0 + 6 * HOUR } };
    expect(dueReminders(covered, plan(), T0 + EVERY, true).events).toHaveLength(1);
  });

  it('never of a failure nobody was told of, or one a mute held back; those are dropped from the reminders', () => {
    const untold = told({ reported: {} });
    expect(dueReminders(untold, plan(), T0 + EVERY, true)).toMatchObject({ events: [], state: { reminders: {} } });
    const held = told({ heldKeys: { [failedKey(ROW)]: 1 } });
    expect(dueReminders(held, plan(), T0 + EVERY, true)).toMatchObject({ events: [], state: { reminders: {} } });
  });

  it('a failure told by a build that did not record when: the interval begins now', () => {
    const s = told({ reminders: {} });
    const r = dueReminders(s, plan(), T0, true);
    expect(r.events).toEqual([]);
    expect(r.state.reminders).toEqual({ [PATH]: { count: 0, lastMs: T0 } });
  });

  it('while the monitor re-submits the URL itself, no reminder, and the interval begins again', () => {
    const s = told({ autoRefresh: retrying(null) });
    const r = dueReminders(s, plan(), T0 + EVERY, true, true);
    expect(r.events).toEqual([]);
    expect(r.state.reminders[PATH]).toEqual({ count: 0, lastMs: T0 + EVERY });
    // a clock that went back does not move the interval back
    expect(dueReminders(s, plan(), T0 - HOUR, true, true).state.reminders[PATH]).toEqual({ count: 0, lastMs: T0 });
    // once it stopped re-submitting, or with AUTO_REFRESH off, reminders go on
    expect(dueReminders(told({ autoRefresh: retrying('retries used up') }), plan(), T0 + EVERY, true, true).events).toHaveLength(1);
    expect(dueReminders(s, plan(), T0 + EVERY, true, false).events).toHaveLength(1);
  });

  it('AUTO_REFRESH is off unless said: re-submissions the state still holds from when it was on hold no reminder back', () => {
    expect(dueReminders(told({ autoRefresh: retrying(null) }), plan(), T0 + EVERY, true).events).toHaveLength(1);
  });

  it('(property) never more than `max` reminders, each at least an interval (less the slack) after the one before', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 6 * HOUR }), { maxLength: 30 }), fc.integer({ min: 1, max: 4 }), (gaps, max) => {
        let s = told();
        let now = T0;
        const times: number[] = [T0];
        for (const gap of gaps) {
          now += gap;
          const r = dueReminders({ ...s, frontierMs: now }, plan({ everyMs: EVERY, max }), now, true);
          s = r.state;
          for (const e of r.events) {
            expect(e).toMatchObject({ kind: 'reminder', count: times.length, max });
            times.push(now);
          }
        }
        expect(times.length - 1).toBeLessThanOrEqual(max);
        for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(EVERY - RUN_SLACK_MS);
      }),
    );
  });
});

describe('remindersDue: the URLs to check for a recovery first', () => {
  it('those whose reminder is due, told one by one, under the cap and not being re-submitted', () => {
    const s = told();
    expect(remindersDue(s, plan(), T0 + EVERY - RUN_SLACK_MS)).toEqual([PATH]);
    expect(remindersDue(s, plan(), T0 + EVERY - RUN_SLACK_MS - 1)).toEqual([]);
    expect(remindersDue(s, plan(null), T0 + EVERY)).toEqual([]);
    expect(remindersDue(told({ reminders: { [PATH]: { count: 3, lastMs: T0 } } }), plan(), T0 + EVERY)).toEqual([]);
    expect(remindersDue(told({ heldKeys: { [failedKey(ROW)]: 1 } }), plan(), T0 + EVERY)).toEqual([]);
    expect(remindersDue(told({ autoRefresh: retrying(null) }), plan(), T0 + EVERY, true)).toEqual([]);
    expect(remindersDue(told({ autoRefresh: retrying(null) }), plan(), T0 + EVERY, false)).toEqual([PATH]);
    // told by a build that did not record when: not due before an interval from now
    expect(remindersDue(told({ reminders: {} }), plan(), T0 + EVERY)).toEqual([]);
  });

  it('AUTO_REFRESH is off unless said: a re-submission the state still holds does not keep a URL from its check', () => {
    expect(remindersDue(told({ autoRefresh: retrying(null) }), plan(), T0 + EVERY)).toEqual([PATH]);
  });

  it('told by a build that did not record when, with an interval no longer than the slack: due now, as dueReminders reminds it now', () => {
    const s = told({ reminders: {} });
    const everyMinute = plan({ everyMs: RUN_SLACK_MS, max: 3 });
    expect(remindersDue(s, everyMinute, T0)).toEqual([PATH]);
    expect(dueReminders(s, everyMinute, T0, true).events).toHaveLength(1);
  });
});
