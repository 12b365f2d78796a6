import { loadConfig } from '../../lib/config';
import type { AlertEvent, EventOf, TaskFacts } from '../../lib/events/schema';
import { accumulate, buildDigests, countRun, digestDue } from '../../lib/policy/digest';
import type { AlertingPlan, Mute } from '../../lib/policy/load';
import { applyMutes } from '../../lib/policy/mute';
import { dueReminders } from '../../lib/policy/remind';
import { emptyState, type MonitorState } from '../../lib/state/schema';

const config = loadConfig({ DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=t' });
const T0 = Date.parse('2026-11-28T01:00:00Z'); // 09:00 UTC+8
const MIN = 60_000;
const HOUR = 60 * MIN;
const receiver = (name: string) => ({ name, alert: config.alert });
function plan(over: Partial<AlertingPlan> = {}): AlertingPlan {
  return {
    receivers: new Map([
      ['a', receiver('a')],
      ['b', receiver('b')],
    ]),
    routes: [{ match: { domain: ['b.example.com'] }, receiver: 'b' }],
    defaultReceiver: 'a',
    reminders: null,
    mutes: [],
    digest: null,
    source: 'test',
    ...over,
  };
}
const task = (path: string, domain = 'a.example.com'): TaskFacts => ({
  taskId: '7',
  objectPath: path,
  objectType: 'file',
  status: 'Failed',
  description: 'Origin Timeout',
  creationTime: '2026-11-28T00:55:00Z',
  domain,
});
const failed = (path: string, domain?: string): EventOf<'failed'> => ({ kind: 'failed', key: `failed:${path}`, task: task(path, domain) });

describe('mutes', () => {
  const migration: Mute = { name: 'migration', match: { domain: ['a.example.com'] }, reason: 'origin move', untilMs: T0 + HOUR, weekly: null };

  it('hold back what they match, count it, record it as told, and sum it up once the window ends', () => {
    const p = plan({ mutes: [migration] });
    let s: MonitorState = emptyState(T0);
    const out1 = applyMutes(s, [failed('http://a.example.com/1'), failed('http://b.example.com/2', 'b.example.com')], p, T0 + 10 * MIN);
    expect(out1.events.map((e) => e.key)).toEqual(['failed:http://b.example.com/2']);
    expect(out1.state.reported['failed:http://a.example.com/1']).toBeGreaterThan(T0);
    s = out1.state;
    const out2 = applyMutes(
      s,
      [failed('http://a.example.com/3'), { kind: 'stuck', key: 'stuck:x', task: task('http://a.example.com/4'), ageMinutes: 40 }],
      p,
      T0 + 50 * MIN,
    );
    expect(out2.events).toEqual([]);
    const out3 = applyMutes(out2.state, [], p, T0 + HOUR);
    expect(out3.events).toEqual([
      expect.objectContaining({
        kind: 'muted-summary',
        mute: 'migration',
        receiver: 'a',
        reason: 'origin move',
        count: 3,
        byKind: { failed: 2, stuck: 1 },
        byDomain: { 'a.example.com': 3 },
      }),
    ]);
    expect(out3.state.muted).toEqual({});
  });

  it('never hold back the monitor telling it cannot read', () => {
    const p = plan({ mutes: [{ ...migration, match: {} }] });
    const down: AlertEvent = { kind: 'health-down', key: 'h', code: 'OperationDenied', message: 'x', sinceMs: T0 };
    expect(applyMutes(emptyState(T0), [down], p, T0).events).toEqual([down]);
  });
});

describe('reminders', () => {
  const withFailure = (): MonitorState => ({
    ...emptyState(T0),
    frontierMs: T0,
    failedPaths: { 'http://a.example.com/1': { key: 'k1', taskId: '7', objectType: 'file', createdAtMs: T0, description: 'Origin Timeout', checkedToMs: T0 } },
    reported: { 'failed:k1': T0 + 3 * 86_400_000 },
    reminders: { 'http://a.example.com/1': { count: 0, lastMs: T0 } },
  });

  it('come every interval, up to the cap, and stop when the URL recovers', () => {
    const p = plan({ reminders: { everyMs: 4 * HOUR, max: 2 } });
    let s = withFailure();
    const at = (h: number) => {
      const r = dueReminders(s, p, T0 + h * HOUR, true);
      s = r.state;
      return r.events.map((e) => (e as EventOf<'reminder'>).count);
    };
    expect(at(3)).toEqual([]);
    expect(at(4)).toEqual([1]);
    expect(at(6)).toEqual([]);
    expect(at(8)).toEqual([2]);
    expect(at(12)).toEqual([]);
    s = { ...withFailure(), failedPaths: {} };
    expect(at(16)).toEqual([]);
  });

  it('never remind of a failure nobody was told of yet', () => {
    const p = plan({ reminders: { everyMs: HOUR, max: 3 } });
    expect(dueReminders({ ...withFailure(), reported: {} }, p, T0 + 5 * HOUR, true).events).toEqual([]);
  });

  it('never remind when the run could not read, nor of a URL not checked for a recovery up to the frontier', () => {
    const p = plan({ reminders: { everyMs: HOUR, max: 3 } });
    expect(dueReminders(withFailure(), p, T0 + 5 * HOUR, true).events).toHaveLength(1);
    expect(dueReminders(withFailure(), p, T0 + 5 * HOUR, false).events).toEqual([]);
    expect(dueReminders({ ...withFailure(), frontierMs: T0 + HOUR }, p, T0 + 5 * HOUR, true).events).toEqual([]);
  });
});

describe('the daily digest', () => {
  const p = plan({ digest: { atMin: 9 * 60 + 30, receivers: ['a', 'b'] } });

  it('is due from its time (Asia/Shanghai), once a day', () => {
    const d = { ...emptyState(T0).daily, sinceMs: T0 };
    expect(digestDue(d, p, T0 + 29 * MIN)).toBeNull();
    expect(digestDue(d, p, T0 + 30 * MIN)).toBe('2026-11-28');
    expect(digestDue({ ...d, lastDay: '2026-11-28' }, p, T0 + 2 * HOUR)).toBeNull();
  });

  it('set late in the evening, is sent by the first run after it, past midnight included; never for a time before the counts began', () => {
    const late = plan({ digest: { atMin: 23 * 60 + 58, receivers: ['a'] } });
    const d = { ...emptyState(T0).daily, sinceMs: T0 };
    const at = (hhmm: string, day = '2026-11-28') => Date.parse(`${day}T${hhmm}:00+08:00`);
    expect(digestDue(d, late, at('23:55'))).toBeNull();
    expect(digestDue(d, late, at('00:00', '2026-11-29'))).toBe('2026-11-28');
    expect(digestDue({ ...d, lastDay: '2026-11-28' }, late, at('00:05', '2026-11-29'))).toBeNull();
    expect(digestDue({ ...d, sinceMs: at('00:00', '2026-11-29') }, late, at('09:00', '2026-11-29'))).toBeNull();
  });

  it('sums up each receiver: failures by domain and Description, the URLs that failed most, retries, the account rate and trend, runs', () => {
    let s: MonitorState = { ...emptyState(T0), daily: { ...emptyState(T0).daily, sinceMs: T0 - 10 * MIN } };
    const events: AlertEvent[] = [failed('http://a.example.com/1'), failed('http://a.example.com/2'), failed('http://b.example.com/9', 'b.example.com')];
    s = { ...s, daily: countRun(accumulate(s.daily, events, [failed('http://a.example.com/1')], p), { good: true, atMs: T0 - 5 * MIN }, 15 * MIN) };
    s = { ...s, daily: countRun(s.daily, { good: false, atMs: T0 }, 15 * MIN) };
    const account = { rows: 1000, failed: 4, previousRows: 800, previousFailed: 8 };
    const out = buildDigests(s, p, { nowMs: T0 + 30 * MIN, day: '2026-11-28', account, stuckAfterMs: 30 * MIN, blindAfterMs: 15 * MIN });
    const a = out.events.find((e) => e.kind === 'digest' && e.receiver === 'a') as EventOf<'digest'>;
    expect(a).toMatchObject({
      day: '2026-11-28',
      failures: { 'a.example.com|Origin Timeout': 3 },
      told: { reported: 2, muted: 1 },
      topUrls: [{ url: 'http://a.example.com/1', count: 2 }],
      runs: { total: 2, ok: 1, blindMs: 35 * MIN, gaps: 1, longest: { fromMs: T0 - 5 * MIN, toMs: T0 + 30 * MIN } },
      account: { rows: 1000, failed: 4 },
    });
    expect(out.events.find((e) => e.kind === 'digest' && e.receiver === 'b')).toMatchObject({ failures: { 'b.example.com|Origin Timeout': 1 } });
    expect(out.state.daily).toMatchObject({ lastDay: '2026-11-28', runs: 0, receivers: {} });
  });
});
