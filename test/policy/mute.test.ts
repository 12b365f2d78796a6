import fc from 'fast-check';
import { loadConfig } from '../../lib/config';
import { mutedSummaryKey, rowKeyExpiry } from '../../lib/events/keys';
import type { AlertEvent, EventOf, TaskFacts } from '../../lib/events/schema';
import type { AlertingPlan, Mute } from '../../lib/policy/load';
import { activeMutes, applyMutes, heldMutes, isActive, windowEnd } from '../../lib/policy/mute';
import { emptyState, type MonitorState } from '../../lib/state/schema';

const config = loadConfig({ DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=t' });
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** A time in Asia/Shanghai, the zone a weekly window is written in. */
const cst = (s: string) => Date.parse(`${s}+08:00`);
// 2026-11-30 is a Monday.
const MONDAY = cst('2026-11-30T00:00:00');
const T0 = cst('2026-11-30T10:00:00');

const plan = (mutes: Mute[]): AlertingPlan => ({
  receivers: new Map(['a', 'b'].map((name) => [name, { name, alert: config.alert }])),
  routes: [{ match: { domain: ['b.example.com'] }, receiver: 'b' }],
  defaultReceiver: 'a',
  reminders: null,
  mutes,
  digest: null,
  source: 'test',
});
const mute = (over: Partial<Mute> = {}): Mute => ({ name: 'night', match: {}, reason: null, untilMs: null, weekly: null, ...over });
const weekly = (days: number[], from: string, to: string) => {
  const min = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  return mute({ weekly: { days, fromMin: min(from), toMin: min(to) } });
};
const task = (n: number, over: Partial<TaskFacts> = {}): TaskFacts => ({
  taskId: `${n}`,
  objectPath: `http://a.example.com/${n}.mp4`,
  objectType: 'file',
  status: 'Failed',
  description: 'Origin Timeout',
  creationTime: '2026-11-30T01:00:00Z',
  domain: 'a.example.com',
  ...over,
});
const failed = (n: number, over: Partial<TaskFacts> = {}): EventOf<'failed'> => ({ kind: 'failed', key: `failed:${n}`, task: task(n, over) });

describe('windowEnd: the end of the window a mute holds in now', () => {
  it('a period holds until its end, not at it', () => {
    const m = mute({ untilMs: T0 + HOUR });
    expect(windowEnd(m, T0)).toBe(T0 + HOUR);
    expect(windowEnd(m, T0 + HOUR - 1)).toBe(T0 + HOUR);
    expect(windowEnd(m, T0 + HOUR)).toBeNull();
    expect(isActive(m, T0)).toBe(true);
    expect(isActive(m, T0 + HOUR)).toBe(false);
  });

  it('a mute with neither a period nor a window never holds', () => {
    expect(windowEnd(mute(), T0)).toBeNull();
  });

  it('a window within a day holds from its start to its end on the listed days (Shanghai time)', () => {
    const m = weekly([1], '09:00', '17:30');
    expect(windowEnd(m, cst('2026-11-30T08:59:59'))).toBeNull();
    expect(windowEnd(m, cst('2026-11-30T09:00:00'))).toBe(cst('2026-11-30T17:30:00'));
    expect(windowEnd(m, cst('2026-11-30T17:29:59'))).toBe(cst('2026-11-30T17:30:00'));
    expect(windowEnd(m, cst('2026-11-30T17:30:00'))).toBeNull();
    // Tuesday and Sunday are not listed
    expect(windowEnd(m, cst('2026-12-01T10:00:00'))).toBeNull();
    expect(windowEnd(m, cst('2026-11-29T10:00:00'))).toBeNull();
  });

  it('the day is the day in Shanghai: Monday 01:00 there is Sunday in UTC', () => {
    const m = weekly([1], '00:30', '02:00');
    expect(windowEnd(m, cst('2026-11-30T01:00:00'))).toBe(cst('2026-11-30T02:00:00'));
    expect(windowEnd(weekly([0], '00:30', '02:00'), cst('2026-11-30T01:00:00'))).toBeNull();
  });

  it('a window across midnight holds from its start on a listed day to its end the next day', () => {
    const m = weekly([5], '22:00', '06:00'); // Friday night
    const friday = cst('2026-12-04T00:00:00');
    expect(windowEnd(m, friday + 21 * HOUR + 59 * MIN)).toBeNull();
    expect(windowEnd(m, friday + 22 * HOUR)).toBe(friday + DAY + 6 * HOUR);
    expect(windowEnd(m, friday + DAY + 5 * HOUR + 59 * MIN)).toBe(friday + DAY + 6 * HOUR);
    expect(windowEnd(m, friday + DAY + 6 * HOUR)).toBeNull();
    // Friday before 06:00 belongs to Thursday's night, which is not listed
    expect(windowEnd(m, friday + 3 * HOUR)).toBeNull();
    // Saturday evening is not a listed start
    expect(windowEnd(m, friday + DAY + 23 * HOUR)).toBeNull();
  });

  it('a night from Saturday runs into Sunday (day 6, then 0)', () => {
    const m = weekly([6], '23:00', '01:00');
    const sunday = cst('2026-12-06T00:00:00');
    expect(windowEnd(m, sunday + 30 * MIN)).toBe(sunday + HOUR);
    expect(windowEnd(weekly([0], '23:00', '01:00'), sunday + 30 * MIN)).toBeNull();
  });

  it('a window whose end is its start holds a whole day, from its start on a listed day to the same time the next day', () => {
    const m = weekly([1], '22:00', '22:00'); // Monday 22:00 to Tuesday 22:00
    expect(windowEnd(m, MONDAY + 21 * HOUR + 59 * MIN)).toBeNull();
    expect(windowEnd(m, MONDAY + 22 * HOUR)).toBe(MONDAY + DAY + 22 * HOUR);
    expect(windowEnd(m, MONDAY + DAY + 21 * HOUR + 59 * MIN)).toBe(MONDAY + DAY + 22 * HOUR);
    expect(windowEnd(m, MONDAY + DAY + 22 * HOUR)).toBeNull();
  });

  it('(property) a weekly window within a day holds exactly on its days, from its start minute up to its end minute', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 1438 }),
        fc.integer({ min: 1, max: 1439 }),
        fc.nat(7 * 1440 - 1),
        (d, a, len, at) => {
          const fromMin = a;
          const toMin = Math.min(1440, a + len);
          fc.pre(fromMin < toMin);
          const m = mute({ weekly: { days: [d], fromMin, toMin } });
          const now = MONDAY + at * MIN;
          const day = (Math.floor(at / 1440) + 1) % 7;
          const minute = at % 1440;
          const inside = day === d && minute >= fromMin && minute < toMin;
          expect(windowEnd(m, now)).toBe(inside ? now - minute * MIN + toMin * MIN : null);
        },
      ),
    );
  });
});

describe('applyMutes', () => {
  const p = plan([mute({ name: 'migration', match: { domain: ['a.example.com'] }, reason: 'origin move', untilMs: T0 + HOUR })]);

  it('holds back what an active mute matches; the rest goes on, in order', () => {
    const b = failed(2, { domain: 'b.example.com', objectPath: 'http://b.example.com/2.mp4' });
    const out = applyMutes(emptyState(0), [failed(1), b], p, T0);
    expect(out.events).toEqual([b]);
    expect(out.held).toEqual([failed(1)]);
  });

  it("records what it held as told and as held, kept as long as the row's key", () => {
    const out = applyMutes(emptyState(0), [failed(1)], p, T0);
    const expiry = rowKeyExpiry(failed(1).task, T0);
    expect(out.state.reported).toEqual({ 'failed:1': expiry });
    expect(out.state.heldKeys).toEqual({ 'failed:1': expiry });
  });

  it('counts per mute and receiver: by kind, Description and domain, and the earliest failure per type and domain', () => {
    const events: AlertEvent[] = [
      failed(1, { creationTime: '2026-11-30T01:00:00Z' }),
      failed(2, { creationTime: '2026-11-30T00:30:00Z', description: null }),
      failed(3, { creationTime: '2026-11-30T01:30:00Z' }),
      { kind: 'stuck', key: 'stuck:4', task: task(4, { status: 'Refreshing' }), ageMinutes: 40 },
    ];
    const s = applyMutes(emptyState(0), events, p, T0).state;
    expect(s.muted).toEqual({
      'migration|a': {
        receiver: 'a',
        reason: 'origin move',
        fromMs: T0,
        toMs: T0,
        count: 4,
        byKind: { failed: 3, stuck: 1 },
        byDescription: { 'Origin Timeout': 3 },
        byDomain: { 'a.example.com': 4 },
        untilMs: T0 + HOUR,
        firstFailed: { 'file|a.example.com': Date.parse('2026-11-30T00:30:00Z') },
      },
    });
    const later = applyMutes(s, [failed(5, { creationTime: 'not a time' })], p, T0 + 10 * MIN).state.muted['migration|a']!;
    expect(later).toMatchObject({ fromMs: T0, toMs: T0 + 10 * MIN, count: 5 });
    expect(later.firstFailed).toEqual({ 'file|a.example.com': Date.parse('2026-11-30T00:30:00Z') });
  });

  it('only failures have a first failure: a stuck, recovered or reminded URL held back adds none', () => {
    const all = plan([mute({ name: 'all', untilMs: T0 + HOUR })]);
    const events: AlertEvent[] = [
      { kind: 'stuck', key: 'stuck:4', task: task(4, { status: 'Refreshing' }), ageMinutes: 40 },
      { kind: 'recovered', key: 'recovered:5', task: task(5, { status: 'Complete' }), failedTaskId: '5', failedDescription: null },
      { kind: 'reminder', key: 'reminder:6', task: task(6), count: 1, max: 3 },
    ];
    const h = applyMutes(emptyState(0), events, all, T0).state.muted['all|a']!;
    expect(h).toMatchObject({ count: 3, byKind: { stuck: 1, recovered: 1, reminder: 1 } });
    expect(h.firstFailed).toEqual({});
  });

  it('a failure without a usable creation time counts from now as its first', () => {
    const s = applyMutes(emptyState(0), [failed(1, { creationTime: null })], p, T0).state;
    expect(s.muted['migration|a']!.firstFailed).toEqual({ 'file|a.example.com': T0 });
    const t = applyMutes(emptyState(0), [failed(1, { creationTime: 'soon' })], p, T0).state;
    expect(t.muted['migration|a']!.firstFailed).toEqual({ 'file|a.example.com': T0 });
  });

  it('never holds back what the monitor itself must tell, nor a summary or digest', () => {
    const all = plan([mute({ name: 'all', untilMs: T0 + HOUR })]);
    const own: AlertEvent[] = [
      { kind: 'notice', key: 'notice:x', code: 'X', message: 'm' },
      { kind: 'health-down', key: 'health-down:1', code: 'Forbidden', message: 'm', sinceMs: T0 },
      { kind: 'blind', key: 'blind:1', fromMs: T0 - HOUR, toMs: T0, cause: null },
    ];
    const out = applyMutes(emptyState(0), [...own, failed(1)], all, T0);
    expect(out.events).toEqual(own);
    expect(out.held).toEqual([failed(1)]);
  });

  it.each(['stuck', 'recovered', 'resubmitted', 'reminder'] as const)('holds back a %s alert it matches', (kind) => {
    const e = { kind, key: `${kind}:1`, task: task(1) } as unknown as AlertEvent;
    expect(applyMutes(emptyState(0), [e], plan([mute({ name: 'all', untilMs: T0 + HOUR })]), T0).held).toEqual([e]);
  });

  it('while the window holds, nothing is summed up, and the state keeps its configured end', () => {
    const s = applyMutes(emptyState(0), [failed(1)], p, T0).state;
    const out = applyMutes(s, [], p, T0 + 30 * MIN);
    expect(out.events).toEqual([]);
    expect(out.state.muted['migration|a']!.untilMs).toBe(T0 + HOUR);
    // the window moved (the file changed): the new end is kept
    const moved = plan([{ ...p.mutes[0]!, untilMs: T0 + 2 * HOUR }]);
    expect(applyMutes(s, [], moved, T0 + 30 * MIN).state.muted['migration|a']!.untilMs).toBe(T0 + 2 * HOUR);
  });

  it('once the window ended, one summary per receiver, ending at the configured end, and the slot is let go', () => {
    const b = failed(2, { domain: 'b.example.com', objectPath: 'http://b.example.com/2.mp4' });
    const both = plan([mute({ name: 'migration', reason: 'origin move', untilMs: T0 + HOUR })]);
    const s = applyMutes(emptyState(0), [failed(1), b], both, T0).state;
    const out = applyMutes(s, [], both, T0 + 2 * HOUR);
    expect(out.state.muted).toEqual({});
    expect(out.events).toEqual(
      ['a', 'b'].map((receiver) => ({
        kind: 'muted-summary',
        key: mutedSummaryKey(`migration|${receiver}`, T0),
        receiver,
        mute: 'migration',
        reason: 'origin move',
        fromMs: T0,
        toMs: T0 + HOUR,
        count: 1,
        byKind: { failed: 1 },
        byDescription: { 'Origin Timeout': 1 },
        byDomain: { [`${receiver}.example.com`]: 1 },
        firstFailed: { [`file|${receiver}.example.com`]: Date.parse('2026-11-30T01:00:00Z') },
      })),
    );
  });

  it('a mute taken out of the file ends when the run sees it gone', () => {
    const s = applyMutes(emptyState(0), [failed(1)], p, T0).state;
    const out = applyMutes({ ...s, muted: { 'migration|a': { ...s.muted['migration|a']!, untilMs: null } } }, [], plan([]), T0 + 20 * MIN);
    expect(out.events).toEqual([expect.objectContaining({ kind: 'muted-summary', mute: 'migration', fromMs: T0, toMs: T0 + 20 * MIN })]);
  });

  it('a window that ended is summed up while another mute still holds, and only that one', () => {
    const two = plan([
      mute({ name: 'weekend', untilMs: T0 + 3 * HOUR }),
      mute({ name: 'migration', match: { domain: ['a.example.com'] }, untilMs: T0 + HOUR }),
    ]);
    const s = applyMutes(emptyState(0), [failed(1)], plan([two.mutes[1]!]), T0).state;
    const out = applyMutes(s, [], two, T0 + 2 * HOUR);
    expect(out.events).toEqual([expect.objectContaining({ kind: 'muted-summary', mute: 'migration', count: 1, toMs: T0 + HOUR })]);
    expect(out.state.muted).toEqual({});
  });

  it('a state written before mutes were summed up per receiver (the slot is the mute name alone) is summed up under that name', () => {
    const s = applyMutes(emptyState(0), [failed(1)], p, T0).state;
    const legacy = { ...s, muted: { migration: s.muted['migration|a']! } };
    const out = applyMutes(legacy, [], p, T0 + 2 * HOUR);
    expect(out.events).toEqual([expect.objectContaining({ kind: 'muted-summary', mute: 'migration', receiver: 'a', count: 1 })]);
    // while it holds, it stays under its own name
    expect(Object.keys(applyMutes(legacy, [], p, T0 + 30 * MIN).state.muted)).toEqual(['migration']);
  });

  it('holding nothing leaves the notification log as it was', () => {
    const s: MonitorState = { ...emptyState(0), reported: { 'failed:0': 1 } };
    const out = applyMutes(s, [failed(9, { domain: 'c.example.com' })], p, T0);
    expect(out.state.reported).toBe(s.reported);
    expect(out.state.heldKeys).toBe(s.heldKeys);
  });
});

describe('what the mutes hold, for the run report and status', () => {
  const p = plan([mute({ name: 'migration', reason: 'origin move', untilMs: T0 + HOUR }), mute({ name: 'old', untilMs: T0 - HOUR })]);

  it('activeMutes: each active mute per receiver, or once with nothing held yet', () => {
    expect(activeMutes(emptyState(0), p, T0)).toEqual([
      { mute: 'migration', receiver: null, count: 0, reason: 'origin move', since: null, until: '2026-11-30T03:00:00Z' },
    ]);
    const s = applyMutes(emptyState(0), [failed(1), failed(2)], p, T0 + 60_000).state;
    expect(activeMutes(s, p, T0 + 120_000)).toEqual([
      { mute: 'migration', receiver: 'a', count: 2, reason: 'origin move', since: '2026-11-30T02:01:00Z', until: '2026-11-30T03:00:00Z' },
    ]);
  });

  it('activeMutes: each mute with only what it holds itself', () => {
    const two = plan([mute({ name: 'migration', untilMs: T0 + HOUR }), mute({ name: 'night', untilMs: T0 + 2 * HOUR })]);
    const s = applyMutes(emptyState(0), [failed(1)], plan([two.mutes[1]!]), T0).state;
    expect(activeMutes(s, two, T0).map((m) => [m.mute, m.receiver, m.count])).toEqual([
      ['migration', null, 0],
      ['night', 'a', 1],
    ]);
  });

  it('heldMutes: a state written before mutes were summed up per receiver names its mute in full', () => {
    const h = applyMutes(emptyState(0), [failed(1)], p, T0).state.muted['migration|a']!;
    expect(heldMutes({ muted: { migration: h } }).map((m) => m.mute)).toEqual(['migration']);
  });

  it('heldMutes: what the state says, with or without a known end; a mute name may hold a "|"', () => {
    const s = applyMutes(emptyState(0), [failed(1)], p, T0).state;
    const h = s.muted['migration|a']!;
    expect(heldMutes({ muted: { 'migration|a': h, 'a|b|ops': { ...h, receiver: 'ops', untilMs: null } } })).toEqual([
      { mute: 'migration', receiver: 'a', count: 1, reason: 'origin move', since: '2026-11-30T02:00:00Z', until: '2026-11-30T03:00:00Z' },
      { mute: 'a|b', receiver: 'ops', count: 1, reason: 'origin move', since: '2026-11-30T02:00:00Z', until: null },
    ]);
  });
});
