import fc from 'fast-check';
import { loadConfig } from '../../lib/config';
import type { AlertEvent, EventOf, TaskFacts } from '../../lib/events/schema';
import { accountCounts, accumulate, buildDigests, countingFrom, countRun, digestDue } from '../../lib/policy/digest';
import type { AlertingPlan } from '../../lib/policy/load';
import { emptyState, type MonitorState } from '../../lib/state/schema';
import type { ListQuery, VodReader } from '../../lib/vod/reader';

const config = loadConfig({ DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=t' });
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const cst = (s: string) => Date.parse(`${s}+08:00`);
const T0 = cst('2026-11-30T09:00:00');
type Daily = MonitorState['daily'];

const plan = (digest: AlertingPlan['digest'] = { atMin: 9 * 60, receivers: ['a', 'b'] }): AlertingPlan => ({
  receivers: new Map(['a', 'b'].map((name) => [name, { name, alert: config.alert }])),
  routes: [{ match: { domain: ['b.example.com'] }, receiver: 'b' }],
  defaultReceiver: 'a',
  reminders: null,
  mutes: [],
  digest,
  source: 'test',
});
const counting = (over: Partial<Daily> = {}): Daily => ({ ...emptyState(0).daily, sinceMs: T0 - DAY, ...over });
const task = (path: string, over: Partial<TaskFacts> = {}): TaskFacts => ({
  taskId: '7',
  objectPath: path,
  objectType: 'file',
  status: 'Failed',
  description: 'Origin Timeout',
  creationTime: null,
  domain: new URL(path).hostname,
  ...over,
});
const failed = (path: string, over: Partial<TaskFacts> = {}, retry?: EventOf<'failed'>['retry']): AlertEvent => ({
  kind: 'failed',
  key: `failed:${path}`,
  task: task(path, over),
  ...(retry ? { retry } : {}),
});

describe('countingFrom: where the count stands before a run', () => {
  it('begins with the first run that has a digest, and goes on as it is', () => {
    const started = countingFrom({ ...emptyState(0).daily, lastGoodMs: 5 }, plan(), false, T0);
    expect(started).toEqual({ ...emptyState(0).daily, sinceMs: T0, lastGoodMs: 5 });
    const going = counting({ runs: 3 });
    expect(countingFrom(going, plan(), false, T0)).toBe(going);
  });

  it('stops, forgetting what it held (not the last good run), when the file has no digest', () => {
    expect(countingFrom(counting({ runs: 3, lastDay: '2026-11-29', lastGoodMs: 7 }), plan(null), false, T0)).toEqual({ ...emptyState(0).daily, lastGoodMs: 7 });
    const off = emptyState(0).daily;
    expect(countingFrom(off, plan(null), false, T0)).toBe(off);
  });

  it('a refused file changes nothing', () => {
    const going = counting({ runs: 3 });
    expect(countingFrom(going, plan(null), true, T0)).toBe(going);
    const off = emptyState(0).daily;
    expect(countingFrom(off, plan(), true, T0)).toBe(off);
  });
});

describe('accumulate: what a run adds to the next digest, per receiver', () => {
  it('failures by domain and Description, by URL, told or held; re-submissions, recoveries after them, failures after them', () => {
    const kept: AlertEvent[] = [
      failed('http://a.example.com/1'),
      failed('http://a.example.com/1'),
      failed('http://a.example.com/2', { description: null }),
      failed('http://a.example.com/3', { domain: '' }, { attempts: 1, next: 'none' }),
      failed('http://a.example.com/4', {}, { attempts: 0, next: 'planned' }),
      { kind: 'resubmitted', key: 'r', task: task('http://a.example.com/5'), newTaskId: '8', attempt: 1, maxAttempts: 3 },
      { kind: 'recovered', key: 'c1', task: task('http://a.example.com/6'), failedTaskId: '6', failedDescription: null, afterRetries: 2 },
      { kind: 'recovered', key: 'c2', task: task('http://a.example.com/7'), failedTaskId: '7', failedDescription: null },
      { kind: 'stuck', key: 's', task: task('http://a.example.com/8'), ageMinutes: 30 },
      { kind: 'notice', key: 'n', code: 'X', message: 'm' },
    ];
    const held = [failed('http://b.example.com/9')];
    const d = accumulate(counting(), kept, held, plan());
    expect(d.receivers).toEqual({
      a: {
        failures: { 'a.example.com|Origin Timeout': 3, 'a.example.com|No description': 1, '(no domain)|Origin Timeout': 1 },
        urls: { 'http://a.example.com/1': 2, 'http://a.example.com/2': 1, 'http://a.example.com/3': 1, 'http://a.example.com/4': 1 },
        reported: 5,
        muted: 0,
        retried: 1,
        recovered: 1,
        failedAgain: 1,
      },
      b: {
        failures: { 'b.example.com|Origin Timeout': 1 },
        urls: { 'http://b.example.com/9': 1 },
        reported: 0,
        muted: 1,
        retried: 0,
        recovered: 0,
        failedAgain: 0,
      },
    });
  });

  it('adds to what the period holds, and leaves the state it was given as it was', () => {
    const before = accumulate(counting(), [failed('http://a.example.com/1')], [], plan());
    const copy = structuredClone(before);
    const after = accumulate(before, [failed('http://a.example.com/1')], [], plan());
    expect(after.receivers.a).toMatchObject({ urls: { 'http://a.example.com/1': 2 }, failures: { 'a.example.com|Origin Timeout': 2 }, reported: 2 });
    expect(before).toEqual(copy);
  });

  it('counts 300 URLs per receiver one by one, and then only those already counted (the totals hold them all)', () => {
    const urls = Array.from({ length: 305 }, (_, i) => `http://a.example.com/${i}`);
    const d = accumulate(
      counting(),
      urls.map((u) => failed(u)),
      [],
      plan(),
    );
    expect(Object.keys(d.receivers.a!.urls)).toHaveLength(300);
    expect(d.receivers.a!.reported).toBe(305);
    const again = accumulate(d, [failed(urls[0]!), failed(urls[304]!)], [], plan());
    expect(again.receivers.a!.urls[urls[0]!]).toBe(2);
    expect(again.receivers.a!.urls[urls[304]!]).toBeUndefined();
  });

  it('counts nothing while not counting', () => {
    const off = emptyState(0).daily;
    expect(accumulate(off, [failed('http://a.example.com/1')], [], plan())).toBe(off);
  });

  it('a failure after re-submissions counts as failed again, however many; one never re-submitted does not', () => {
    const d = accumulate(
      counting(),
      [
        failed('http://a.example.com/1', {}, { attempts: 1, next: 'planned' }),
        failed('http://a.example.com/2', {}, { attempts: 3, next: 'none' }),
        failed('http://a.example.com/3', {}, { attempts: 0, next: 'planned' }),
        failed('http://a.example.com/4'),
      ],
      [],
      plan(),
    );
    expect(d.receivers.a).toMatchObject({ reported: 4, failedAgain: 2 });
  });

  it('a run that only had stuck URLs, notices or reminders adds no receiver to the count', () => {
    const d = accumulate(
      counting(),
      [
        { kind: 'stuck', key: 's', task: task('http://b.example.com/8'), ageMinutes: 30 },
        { kind: 'notice', key: 'n', code: 'X', message: 'm' },
      ],
      [{ kind: 'reminder', key: 'm', task: task('http://a.example.com/1'), count: 1, max: 3 }],
      plan(),
    );
    expect(d.receivers).toEqual({});
  });
});

describe('countRun: the runs of the period, and the gaps between good ones', () => {
  const LIMIT = 30 * MIN;

  it('counts a run, and a good one closes the gap since the last good run when it is longer than the limit', () => {
    const d = counting({ sinceMs: T0, lastGoodMs: T0 });
    const bad = countRun(d, { good: false, atMs: T0 + HOUR }, LIMIT);
    expect(bad).toMatchObject({ runs: 1, runsOk: 0, lastGoodMs: T0, gaps: 0, blindMs: 0 });
    const good = countRun(bad, { good: true, atMs: T0 + HOUR }, LIMIT);
    expect(good).toMatchObject({ runs: 2, runsOk: 1, lastGoodMs: T0 + HOUR, gaps: 1, blindMs: HOUR, longestGap: { fromMs: T0, toMs: T0 + HOUR } });
  });

  it('a gap of the limit exactly is no gap; a millisecond more is', () => {
    const d = counting({ sinceMs: T0, lastGoodMs: T0 });
    expect(countRun(d, { good: true, atMs: T0 + LIMIT }, LIMIT)).toMatchObject({ gaps: 0, blindMs: 0, longestGap: null });
    expect(countRun(d, { good: true, atMs: T0 + LIMIT + 1 }, LIMIT)).toMatchObject({ gaps: 1, blindMs: LIMIT + 1 });
  });

  it('a gap begun before the period counts from the period on; the longest gap is kept', () => {
    const d = counting({ sinceMs: T0, lastGoodMs: T0 - 2 * HOUR });
    const first = countRun(d, { good: true, atMs: T0 + HOUR }, LIMIT);
    expect(first).toMatchObject({ gaps: 1, blindMs: HOUR, longestGap: { fromMs: T0, toMs: T0 + HOUR } });
    const second = countRun(first, { good: true, atMs: T0 + 2 * HOUR }, LIMIT);
    expect(second).toMatchObject({ gaps: 2, blindMs: 2 * HOUR, longestGap: { fromMs: T0, toMs: T0 + HOUR } });
    const third = countRun(second, { good: true, atMs: T0 + 4 * HOUR }, LIMIT);
    expect(third).toMatchObject({ gaps: 3, blindMs: 4 * HOUR, longestGap: { fromMs: T0 + 2 * HOUR, toMs: T0 + 4 * HOUR } });
  });

  it('no good run yet: the gap counts from when counting began', () => {
    const d = counting({ sinceMs: T0, lastGoodMs: null });
    expect(countRun(d, { good: true, atMs: T0 + HOUR }, LIMIT)).toMatchObject({ gaps: 1, blindMs: HOUR });
  });

  it('a good run at the very start of the period, after a long gap before it, counts no gap (nothing of it is in the period)', () => {
    const d = counting({ sinceMs: T0, lastGoodMs: T0 - 2 * HOUR });
    expect(countRun(d, { good: true, atMs: T0 }, LIMIT)).toMatchObject({ runsOk: 1, gaps: 0, blindMs: 0, longestGap: null, lastGoodMs: T0 });
    // a run dated before the period (the API's clock went back) counts none either
    expect(countRun(d, { good: true, atMs: T0 - HOUR }, LIMIT)).toMatchObject({ gaps: 0, blindMs: 0, longestGap: null });
  });

  it('while not counting, only the last good run is kept', () => {
    const off = emptyState(0).daily;
    expect(countRun(off, { good: false, atMs: T0 }, LIMIT)).toBe(off);
    expect(countRun(off, { good: true, atMs: T0 }, LIMIT)).toEqual({ ...off, lastGoodMs: T0 });
  });
});

describe('digestDue: the day whose digest is due', () => {
  const at = (atMin: number) => plan({ atMin, receivers: ['a'] });

  it('from its time (Asia/Shanghai), once a day, and a run after midnight still sends the one of 23:58', () => {
    const d = counting({ sinceMs: cst('2026-11-29T08:00:00'), lastDay: '2026-11-29' });
    expect(digestDue(d, at(9 * 60), cst('2026-11-30T08:59:59'))).toBeNull();
    expect(digestDue(d, at(9 * 60), cst('2026-11-30T09:00:00'))).toBe('2026-11-30');
    expect(digestDue({ ...d, lastDay: '2026-11-30' }, at(9 * 60), cst('2026-11-30T09:05:00'))).toBeNull();
    expect(digestDue(d, at(23 * 60 + 58), cst('2026-12-01T00:03:00'))).toBe('2026-11-30');
  });

  it('never for a time before the counts began, nor without a digest or a count', () => {
    const d = counting({ sinceMs: cst('2026-11-30T09:00:01') });
    expect(digestDue(d, at(9 * 60), cst('2026-11-30T10:00:00'))).toBeNull();
    expect(digestDue({ ...d, sinceMs: cst('2026-11-30T09:00:00') }, at(9 * 60), cst('2026-11-30T10:00:00'))).toBe('2026-11-30');
    expect(digestDue(d, plan(null), cst('2026-12-01T10:00:00'))).toBeNull();
    expect(digestDue({ ...d, sinceMs: null }, at(9 * 60), cst('2026-12-01T10:00:00'))).toBeNull();
  });

  it('(property) due exactly when the latest slot at or before now is at or after the start and not sent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 0, max: 3 * DAY }), fc.integer({ min: 0, max: 2 * DAY }), (atMin, since, later) => {
        const sinceMs = cst('2026-11-28T00:00:00') + since;
        const now = sinceMs + later;
        const due = digestDue(counting({ sinceMs }), at(atMin), now);
        // the latest slot, counted by brute force a minute at a time
        let slot = Math.floor(now / MIN) * MIN;
        while (Math.floor((slot + 8 * HOUR) / MIN) % 1440 !== atMin) slot -= MIN;
        const day = new Date(slot + 8 * HOUR).toISOString().slice(0, 10);
        expect(due).toBe(slot >= sinceMs ? day : null);
      }),
      { numRuns: 200 },
    );
  });
});

describe('buildDigests: one digest per receiver, then the next period', () => {
  const moment = { nowMs: T0, day: '2026-11-30', account: null, stuckAfterMs: 30 * MIN, blindAfterMs: 30 * MIN };

  it('sums up each receiver named, with its unresolved and stuck URLs, its retries and the runs', () => {
    const daily = accumulate(
      counting({ sinceMs: T0 - DAY, lastDay: '2026-11-29', runs: 10, runsOk: 9, lastGoodMs: T0 - 10 * MIN }),
      [
        failed('http://a.example.com/1'),
        failed('http://a.example.com/1'),
        failed('http://a.example.com/2'),
        failed('http://a.example.com/2'),
        failed('http://a.example.com/2'),
        failed('http://a.example.com/3'),
        { kind: 'resubmitted', key: 'r', task: task('http://a.example.com/5'), newTaskId: '8', attempt: 1, maxAttempts: 3 },
      ],
      [],
      plan(),
    );
    const fp = (objectType = 'file', description: string | null = null) => ({ key: 'k', taskId: '1', objectType, createdAtMs: 0, description, checkedToMs: 0 });
    const w = (path: string, createdAtMs: number) => ({
      task: task(path, { status: 'Refreshing' }),
      createdAtMs,
      firstSeenMs: 0,
      checkedAtMs: 0,
      stuckAtMs: null,
    });
    const state: MonitorState = {
      ...emptyState(0),
      daily,
      failedPaths: { 'http://a.example.com/1': fp(), 'http://b.example.com/2': fp(), 'http://a.example.com/9': fp('directory') },
      watching: { x: w('http://a.example.com/w', T0 - 31 * MIN), y: w('http://a.example.com/v', T0 - 30 * MIN), z: w('http://b.example.com/u', T0 - HOUR) },
    };
    const { state: next, events } = buildDigests(state, plan(), moment);
    expect(events).toEqual([
      {
        kind: 'digest',
        key: 'digest:2026-11-30:a',
        receiver: 'a',
        day: '2026-11-30',
        fromMs: T0 - DAY,
        toMs: T0,
        firstPeriod: false,
        failures: { 'a.example.com|Origin Timeout': 6 },
        told: { reported: 6, muted: 0 },
        topUrls: [
          { url: 'http://a.example.com/2', count: 3 },
          { url: 'http://a.example.com/1', count: 2 },
        ],
        account: null,
        unresolved: 2,
        stuck: 1,
        retries: { submitted: 1, recovered: 0, failedAgain: 0 },
        runs: { total: 10, ok: 9, blindMs: 0, gaps: 0, longest: null, blindAfterMs: 30 * MIN },
      },
      {
        kind: 'digest',
        key: 'digest:2026-11-30:b',
        receiver: 'b',
        day: '2026-11-30',
        fromMs: T0 - DAY,
        toMs: T0,
        firstPeriod: false,
        failures: {},
        told: { reported: 0, muted: 0 },
        topUrls: [],
        account: null,
        unresolved: 1,
        stuck: 1,
        retries: null,
        runs: { total: 10, ok: 9, blindMs: 0, gaps: 0, longest: null, blindAfterMs: 30 * MIN },
      },
    ]);
    expect(next.daily).toEqual({ ...emptyState(0).daily, sinceMs: T0, lastDay: '2026-11-30', lastGoodMs: T0 - 10 * MIN });
  });

  it('the first period says so; the gap still open at its time counts in it up to now; the five URLs that failed most', () => {
    const urls = Array.from({ length: 7 }, (_, i) => `http://a.example.com/${i}`);
    const kept = urls.flatMap((u, i) => Array.from({ length: i + 1 }, () => failed(u)));
    const daily = accumulate(counting({ sinceMs: T0 - DAY, lastDay: null, lastGoodMs: T0 - 2 * HOUR }), kept, [], plan());
    const [a] = buildDigests({ ...emptyState(0), daily }, plan(), moment).events as EventOf<'digest'>[];
    expect(a!.firstPeriod).toBe(true);
    expect(a!.topUrls.map((u) => u.count)).toEqual([7, 6, 5, 4, 3]);
    expect(a!.runs).toEqual({ total: 0, ok: 0, blindMs: 2 * HOUR, gaps: 1, longest: { fromMs: T0 - 2 * HOUR, toMs: T0 }, blindAfterMs: 30 * MIN });
  });

  it('unresolved and stuck URLs count for the receiver their alerts are routed to: the failure, the stuck alert', () => {
    const byKind: AlertingPlan = { ...plan(), routes: [{ match: { kind: ['failed'], domain: ['c.example.com'] }, receiver: 'b' }] };
    const fp = { key: 'k', taskId: '1', objectType: 'file', createdAtMs: 0, description: null, checkedToMs: 0 };
    const w = (path: string) => ({ task: task(path, { status: 'Refreshing' }), createdAtMs: T0 - HOUR, firstSeenMs: 0, checkedAtMs: 0, stuckAtMs: null });
    const state: MonitorState = {
      ...emptyState(0),
      daily: counting(),
      failedPaths: { 'http://a.example.com/1': fp, 'http://c.example.com/1': fp, 'http://c.example.com/2': fp },
      watching: { x: w('http://a.example.com/w'), y: w('http://a.example.com/v'), z: w('http://c.example.com/u') },
    };
    const events = buildDigests(state, byKind, moment).events as EventOf<'digest'>[];
    // a route for failures only: c.example.com's stuck alert goes to the default receiver, and is counted there
    expect(events.map((e) => [e.receiver, e.unresolved, e.stuck])).toEqual([
      ['a', 1, 3],
      ['b', 2, 0],
    ]);
    const stuckToo: AlertingPlan = { ...plan(), routes: [{ match: { kind: ['failed', 'stuck'], domain: ['c.example.com'] }, receiver: 'b' }] };
    expect((buildDigests(state, stuckToo, moment).events as EventOf<'digest'>[]).map((e) => [e.receiver, e.unresolved, e.stuck])).toEqual([
      ['a', 1, 2],
      ['b', 2, 1],
    ]);
  });

  it('with no good run yet, the next period keeps the gap from where counting began', () => {
    const { state } = buildDigests({ ...emptyState(0), daily: counting({ lastGoodMs: null }) }, plan(), moment);
    expect(state.daily.lastGoodMs).toBe(T0 - DAY);
  });

  it('nothing without a digest or a count', () => {
    const s = { ...emptyState(0), daily: counting() };
    expect(buildDigests(s, plan(null), moment)).toEqual({ state: s, events: [] });
    const off = emptyState(0);
    expect(buildDigests(off, plan(), moment).state).toBe(off);
  });
});

describe("accountCounts: the account's rows and failed rows, the last 24 hours and the 24 before", () => {
  type Row = { atMs: number; objectType: 'file' | 'directory' | 'preload'; status: 'Complete' | 'Failed' };
  /** A VodReader that counts from rows in memory (a window's ends included, as the API's are) and records what it was asked. */
  const fakeReader = (rows: Row[], fail = false) => {
    const asked: ListQuery[] = [];
    const reader = {
      count: async (q: ListQuery) => {
        asked.push(q);
        if (fail) throw new Error('Throttling');
        const from = (q.startTime as Date).getTime();
        const to = (q.endTime as Date).getTime();
        return rows.filter((r) => r.atMs >= from && r.atMs <= to && (!q.objectType || r.objectType === q.objectType) && (!q.status || r.status === q.status))
          .length;
      },
    } as unknown as VodReader;
    return { reader, asked };
  };
  // The API's clock reads 1.5 s past T0: the second it is in (T0 + 1 s) is not over, the one before it ends the day counted.
  const now = T0 + 1500;
  const end = T0;
  const rowsAt = (atMs: number, n: number, objectType: Row['objectType'], status: Row['status']): Row[] =>
    Array.from({ length: n }, () => ({ atMs, objectType, status }));

  it('counts every row and the failed ones of each object type, per day', async () => {
    const rows = [
      ...rowsAt(end, 4, 'file', 'Complete'),
      ...rowsAt(end - HOUR, 3, 'file', 'Failed'),
      ...rowsAt(end - DAY, 2, 'directory', 'Failed'),
      ...rowsAt(end - 2 * HOUR, 1, 'preload', 'Failed'),
      // the day before
      ...rowsAt(end - DAY - 1000, 5, 'file', 'Complete'),
      ...rowsAt(end - 2 * DAY, 1, 'preload', 'Failed'),
      // this second, not over yet, and before both days
      ...rowsAt(T0 + 1000, 9, 'file', 'Failed'),
      ...rowsAt(end - 2 * DAY - 1000, 9, 'file', 'Failed'),
    ];
    const { reader } = fakeReader(rows);
    expect(await accountCounts(reader, now)).toEqual({ rows: 10, failed: 6, previousRows: 6, previousFailed: 1 });
  });

  it('asks eight counts: each day whole, then its failed rows per object type', async () => {
    const { reader, asked } = fakeReader([]);
    await accountCounts(reader, now);
    const day = { startTime: new Date(end - DAY), endTime: new Date(end) };
    const before = { startTime: new Date(end - 2 * DAY), endTime: new Date(end - DAY - 1000) };
    const failedOf = (q: typeof day) => (['file', 'directory', 'preload'] as const).map((objectType) => ({ ...q, objectType, status: 'Failed' }));
    expect(asked).toEqual([day, ...failedOf(day), before, ...failedOf(before)]);
  });

  it('null when the API cannot be read', async () => {
    expect(await accountCounts(fakeReader([], true).reader, now)).toBeNull();
  });
});
