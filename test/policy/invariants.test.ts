import fc from 'fast-check';
import { loadConfig } from '../../lib/config';
import type { AlertEvent, EventOf } from '../../lib/events/schema';
import { buildDigests, countRun } from '../../lib/policy/digest';
import type { AlertingPlan, Mute } from '../../lib/policy/load';
import { windowEnd } from '../../lib/policy/mute';
import { dueReminders, RUN_SLACK_MS, remindFromDelivery } from '../../lib/policy/remind';
import { emptyState, type MonitorState, type RetryEntry } from '../../lib/state/schema';

const config = loadConfig({ DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=t' });
const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2026-11-28T01:00:00Z'); // Saturday 09:00 UTC+8
const local = (s: string) => Date.parse(`${s}+08:00`);
const plan = (over: Partial<AlertingPlan> = {}): AlertingPlan => ({
  receivers: new Map([['a', { name: 'a', alert: config.alert }]]),
  routes: [],
  defaultReceiver: 'a',
  reminders: null,
  mutes: [],
  digest: { atMin: 9 * 60 + 30, receivers: ['a'] },
  source: 'test',
  ...over,
});

describe('the end of a mute window is the one the file sets', () => {
  const weekly = (days: number[], from: string, to: string): Mute => {
    const min = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3));
    return { name: 'w', match: {}, reason: null, untilMs: null, weekly: { days, fromMin: min(from), toMin: min(to) } };
  };
  const until: Mute = { name: 'u', match: {}, reason: null, untilMs: local('2026-11-28T03:20:15'), weekly: null };
  it.each([
    ['until, before it', until, '2026-11-28T03:00:00', '2026-11-28T03:20:15'],
    ['until, at it', until, '2026-11-28T03:20:15', null],
    ['a Saturday window, inside', weekly([6], '02:00', '04:00'), '2026-11-28T03:59:59', '2026-11-28T04:00:00'],
    ['a Saturday window, after', weekly([6], '02:00', '04:00'), '2026-11-28T04:00:00', null],
    ['a Saturday window, on Sunday', weekly([6], '02:00', '04:00'), '2026-11-29T03:00:00', null],
    ['across midnight, before it', weekly([6], '22:00', '02:00'), '2026-11-28T23:30:00', '2026-11-29T02:00:00'],
    ['across midnight, after it', weekly([6], '22:00', '02:00'), '2026-11-29T01:00:00', '2026-11-29T02:00:00'],
    ['across midnight, the day before a listed day', weekly([6], '22:00', '02:00'), '2026-11-28T01:00:00', null],
  ])('%s', (_name, mute, now, end) => {
    expect(windowEnd(mute, local(now))).toBe(end === null ? null : local(end));
  });
});

/** The part of [fromMs, toMs] in gaps between good runs longer than `limit`, counted from scratch. */
function blindBruteForce(goods: number[], startMs: number, fromMs: number, toMs: number, limit: number): number {
  const points = [startMs, ...goods.filter((g) => g <= toMs), toMs];
  let blind = 0;
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1]!, points[i]!];
    if (b - a > limit) blind += Math.max(0, Math.min(b, toMs) - Math.max(a, fromMs));
  }
  return blind;
}

describe('the digest counts runs and blind time exactly, whatever the runs', () => {
  it('periods tile, every run is counted once, and blind time is the part of each period in gaps longer than the limit', () => {
    const step = fc.record({ gapMin: fc.integer({ min: 1, max: 90 }), good: fc.boolean(), digestAfter: fc.boolean() });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
        const limit = 15 * MIN;
        let s: MonitorState = { ...emptyState(T0), daily: { ...emptyState(T0).daily, sinceMs: T0 } };
        let t = T0;
        const goods: number[] = [];
        const digests: Array<EventOf<'digest'>> = [];
        steps.forEach((st, i) => {
          t += st.gapMin * MIN;
          s = { ...s, daily: countRun(s.daily, { good: st.good, atMs: t }, limit) };
          if (st.good) goods.push(t);
          if (st.digestAfter) {
            const at = { nowMs: t + 30_000, day: `d${i}`, account: null, stuckAfterMs: HOUR, blindAfterMs: limit };
            const out = buildDigests(s, plan(), at);
            s = out.state;
            digests.push(out.events[0] as EventOf<'digest'>);
          }
        });
        let from = T0;
        for (const d of digests) {
          expect(d.fromMs).toBe(from);
          expect(d.runs.blindMs).toBe(blindBruteForce(goods, T0, d.fromMs, d.toMs, limit));
          expect(d.runs.ok).toBe(goods.filter((g) => g >= d.fromMs && g < d.toMs).length);
          from = d.toMs;
        }
        expect(digests.reduce((a, d) => a + d.runs.total, 0) + s.daily.runs).toBe(steps.length);
      }),
      { numRuns: 300 },
    );
  });
});

describe('reminders never come early', () => {
  const path = 'http://a.example.com/1';
  const told = (deliveredMs: number, retry: RetryEntry | null = null): MonitorState => {
    const base = emptyState(T0);
    const s: MonitorState = {
      ...base,
      frontierMs: T0,
      failedPaths: { [path]: { key: 'k1', taskId: '7', objectType: 'file', createdAtMs: T0 - 2 * HOUR, description: 'Origin Timeout', checkedToMs: T0 } },
      reported: { 'failed:k1': T0 + 3 * 86_400_000 },
      autoRefresh: { ...base.autoRefresh, retries: retry ? { [path]: retry } : {} },
    };
    const failed: AlertEvent = {
      kind: 'failed',
      key: 'failed:k1',
      task: { taskId: '7', objectPath: path, objectType: 'file', status: 'Failed', description: 'Origin Timeout', creationTime: null, domain: 'a.example.com' },
    };
    return { ...s, reminders: remindFromDelivery(s, [failed], deliveredMs) };
  };

  it('from the delivery of the alert, every interval apart (less the slack of a run), at most max, whatever the times of the runs', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 80 }), fc.integer({ min: 10, max: 240 }), (gaps, everyMin) => {
        const p = plan({ reminders: { everyMs: everyMin * MIN, max: 3 } });
        let s = told(T0);
        let t = T0;
        const at: number[] = [];
        for (const g of gaps) {
          t += g * MIN;
          const r = dueReminders(s, p, t, true);
          s = r.state;
          if (r.events.length) at.push(t);
        }
        expect(at.length).toBeLessThanOrEqual(3);
        [T0, ...at].forEach((x, i, all) => {
          if (i > 0) expect(x - all[i - 1]!).toBeGreaterThanOrEqual(everyMin * MIN - RUN_SLACK_MS);
        });
      }),
    );
  });

  it.each([
    ['planned', { intent: null, submittedAtMs: null }],
    ['being submitted', { intent: { atMs: T0, attempt: 1 }, submittedAtMs: null }],
    ['submitted, its row unfinished', { intent: null, submittedAtMs: T0 }],
  ])('none while an automatic re-submission is in flight (%s), and one interval after it stops', (_name, phase) => {
    const retry: RetryEntry = {
      objectType: 'file',
      task: { taskId: '7', objectPath: path, objectType: 'file', status: 'Failed', description: 'Origin Timeout', creationTime: null, domain: 'a.example.com' },
      attempts: 0,
      nextAtMs: T0,
      lastTaskId: null,
      heldSinceMs: null,
      heldBy: null,
      stopped: null,
      ...phase,
    };
    const p = plan({ reminders: { everyMs: HOUR, max: 3 } });
    let s = told(T0, retry);
    for (let h = 1; h <= 4; h++) {
      const r = dueReminders(s, p, T0 + h * HOUR, true, true);
      expect(r.events).toEqual([]);
      s = r.state;
    }
    // Handed to a human at T0 + 4 h: the interval begins again from the last run it was in flight.
    s = { ...s, autoRefresh: { ...s.autoRefresh, retries: { [path]: { ...retry, stopped: 'no new row within an hour' } } } };
    expect(dueReminders(s, p, T0 + 4 * HOUR + 55 * MIN, true, true).events).toEqual([]);
    expect(dueReminders(s, p, T0 + 5 * HOUR - RUN_SLACK_MS - 1, true, true).events).toEqual([]);
    expect(dueReminders(s, p, T0 + 5 * HOUR, true, true).events).toHaveLength(1);
    // AUTO_REFRESH=off: what is left in the state does not hold reminders back.
    expect(dueReminders(told(T0, retry), p, T0 + HOUR, true, false).events).toHaveLength(1);
  });
});
