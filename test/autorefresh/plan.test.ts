import { allowance, dueRetries, scheduleRetries, settle } from '../../lib/autorefresh/plan';
import type { AlertEvent } from '../../lib/events/schema';
import { emptyState } from '../../lib/state/schema';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const MIN = 60_000;
const settings = {
  enabled: true,
  descriptions: ['Origin Timeout', 'Internal Error', 'Origin Return StatusCode 5XX'],
  maxRetries: 1,
  delayMs: 2 * MIN,
  quotaShare: 0.1,
};
const task = (path: string, description: string | null = 'Origin Timeout', objectType = 'file') => ({
  taskId: '7001',
  objectPath: path,
  objectType,
  status: 'Failed',
  description,
  creationTime: '2026-11-28T11:58:00Z',
  domain: 'v.example.com',
});
const failed = (path: string, description?: string | null, objectType?: string): AlertEvent => ({
  kind: 'failed',
  key: `failed:${path}`,
  task: task(path, description, objectType),
});

describe('scheduleRetries', () => {
  const auto = emptyState(NOW).autoRefresh;
  it.each<[string, AlertEvent, string | null]>([
    ['a failure with a known Description: planned', failed('http://v/a'), 'planned'],
    ['a Description not configured: left alone', failed('http://v/a', 'Forbidden by origin'), null],
    ['no Description: left alone', failed('http://v/a', null), null],
    ['an unknown type: left alone', failed('http://v/a', 'Origin Timeout', 'regex'), null],
  ])('%s', (_n, e, next) => {
    const out = scheduleRetries(auto, [e], NOW, settings);
    expect((out.events[0] as Extract<AlertEvent, { kind: 'failed' }>).retry?.next ?? null).toBe(next);
    expect(Object.keys(out.auto.retries)).toHaveLength(next ? 1 : 0);
  });

  it('plans a retry after the delay, then stops after the retries are used, and says so', () => {
    const a = scheduleRetries(auto, [failed('http://v/a')], NOW, settings).auto;
    expect(a.retries['http://v/a']!.nextAtMs).toBe(Date.parse('2026-11-28T11:58:00Z') + 2 * MIN);
    const submitted = { ...a, retries: { 'http://v/a': { ...a.retries['http://v/a']!, attempts: 1 } } };
    const again = scheduleRetries(submitted, [failed('http://v/a')], NOW + 10 * MIN, settings);
    expect((again.events[0] as Extract<AlertEvent, { kind: 'failed' }>).retry).toEqual({
      attempts: 1,
      next: 'none',
      reason: 'failed again after 1 automatic retry; no further retry',
    });
    expect(dueRetries(again.auto, NOW + 60 * MIN, settings)).toEqual([]);
  });

  it('marks a recovery of a re-submitted URL, and forgets it', () => {
    const a = {
      ...auto,
      retries: {
        'http://v/a': {
          objectType: 'file',
          task: task('http://v/a'),
          attempts: 1,
          nextAtMs: 0,
          intent: null,
          lastTaskId: '9',
          submittedAtMs: null,
          heldSinceMs: null,
          heldBy: null,
          stopped: null,
        },
      },
    };
    const rec: AlertEvent = {
      kind: 'recovered',
      key: 'recovered:x',
      task: { ...task('http://v/a'), status: 'Complete', taskId: '9' },
      failedTaskId: '7001',
      failedDescription: 'Origin Timeout',
    };
    const out = scheduleRetries(a, [rec], NOW, settings);
    expect(out.events[0]).toMatchObject({ afterRetries: 1 });
    expect(out.auto.retries).toEqual({});
  });
});

describe('settle', () => {
  it('counts a submission whose result was never recorded (a crash between the two): never submitted twice by accident', () => {
    const auto = {
      ...emptyState(NOW).autoRefresh,
      day: '2026-11-28',
      retries: {
        'http://v/a': {
          objectType: 'file',
          task: task('http://v/a'),
          attempts: 0,
          nextAtMs: 0,
          intent: { atMs: NOW - MIN, attempt: 1 },
          lastTaskId: null,
          submittedAtMs: null,
          heldSinceMs: null,
          heldBy: null,
          stopped: null,
        },
      },
    };
    const s = settle(auto, NOW);
    expect(s.retries['http://v/a']).toMatchObject({ attempts: 1, intent: null });
    expect(dueRetries(s, NOW, settings)).toEqual([]);
  });

  it('starts a new quota day at 00:00 UTC+8', () => {
    const auto = { ...emptyState(NOW).autoRefresh, day: '2026-11-28', used: { url: 50, dir: 1, preload: 3 } };
    expect(settle(auto, Date.parse('2026-11-28T15:59:59Z')).used.url).toBe(50);
    expect(settle(auto, Date.parse('2026-11-28T16:00:00Z'))).toMatchObject({ day: '2026-11-29', used: { url: 0, dir: 0, preload: 0 } });
  });
});

describe('allowance', () => {
  it.each([
    ['a fresh day', 2000, 2000, 0, 0.1, 200],
    ['half the share used', 2000, 1500, 100, 0.1, 100],
    ['the share used', 2000, 1500, 200, 0.1, 0],
    ['the CMS spent almost all of it: never the last of it', 2000, 230, 0, 0.1, 30],
    ['nothing left', 2000, 150, 0, 0.1, 0],
    ['a tiny quota', 5, 5, 0, 0.1, 0],
  ])('%s', (_n, quota, remain, used, share, expected) => {
    expect(allowance(quota, remain, used, share)).toBe(expected);
  });
});
