// The pure parts of `wait`: the verdict from rows, the pauses, the lookups a poll plans, the loop on a virtual clock.
import fc from 'fast-check';
import { CliError } from '../../lib/cli/printer';
import { Follow, type Snapshot } from '../../lib/cli/wait/follow';
import { parseDuration, waitTargets } from '../../lib/cli/wait/input';
import { DEFAULT_SCHEDULE, LAST_LOOK_MS, pauseAfter, waitLoop } from '../../lib/cli/wait/loop';
import { judge } from '../../lib/cli/wait/verdict';
import { DeadlineError, VodError, VodParamError } from '../../lib/vod/errors';
import type { RefreshTask } from '../../lib/vod/types';

const T0 = Date.parse('2026-12-01T02:00:00Z');
const MIN = 60_000;

function row(taskId: string, n: number, status: string, description: string | null = null): RefreshTask {
  return {
    taskId,
    objectPath: `http://video.example.com/${n}.ts`,
    objectType: 'file',
    status,
    process: status === 'Complete' ? '100%' : '0%',
    creationTime: '2026-12-01T02:00:00Z',
    createdAtMs: T0,
    description,
  };
}

const ctx = (over: Partial<Parameters<typeof judge>[1]> = {}) => ({
  nowMs: T0 + MIN,
  startedMs: T0,
  deadlineMs: T0 + 30 * MIN,
  failFast: false,
  notFoundAfterMs: 2 * MIN,
  ...over,
});
const snap = (rows: RefreshTask[], unseen: Snapshot['unseen'] = []): Snapshot => ({ rows, unseen });

describe('judge', () => {
  it.each<[string, Snapshot, Partial<Parameters<typeof judge>[1]>, string, number | null]>([
    ['every URL complete', snap([row('1', 1, 'Complete'), row('1', 2, 'Complete')]), {}, 'complete', 0],
    ['one failed, the rest complete', snap([row('1', 1, 'Failed', 'Origin Timeout'), row('1', 2, 'Complete')]), {}, 'failed', 1],
    ['one failed, one still refreshing: keep waiting', snap([row('1', 1, 'Failed'), row('1', 2, 'Refreshing')]), {}, 'waiting', null],
    ['one failed, one refreshing, --fail-fast', snap([row('1', 1, 'Failed'), row('1', 2, 'Refreshing')]), { failFast: true }, 'failed', 1],
    ['Pending is unfinished', snap([row('1', 1, 'Pending')]), {}, 'waiting', null],
    ['an unknown Status is unfinished', snap([row('1', 1, 'Queued')]), {}, 'waiting', null],
    ['the deadline with a URL refreshing', snap([row('1', 1, 'Refreshing')]), { nowMs: T0 + 30 * MIN }, 'timeout', 4],
    ['the deadline with a failure: the failure wins', snap([row('1', 1, 'Failed'), row('1', 2, 'Refreshing')]), { nowMs: T0 + 30 * MIN }, 'failed', 1],
    ['the API unreadable', snap([row('1', 1, 'Refreshing')]), { stop: { reason: 'unreadable', code: 'ECONNREFUSED', message: 'x' } }, 'unreadable', 3],
    [
      'the API unreadable after a failure: the failure wins',
      snap([row('1', 1, 'Failed'), row('1', 2, 'Refreshing')]),
      { stop: { reason: 'unreadable', code: 'ECONNREFUSED', message: 'x' } },
      'failed',
      1,
    ],
    ['a task id looked up, no row yet, within the grace', snap([], [{ taskId: '9', url: null, looked: true }]), {}, 'waiting', null],
    ['a task id looked up, no row after the grace', snap([], [{ taskId: '9', url: null, looked: true }]), { nowMs: T0 + 2 * MIN }, 'failed', 1],
    ['a target never looked up is not "not found"', snap([], [{ taskId: '9', url: null, looked: false }]), { nowMs: T0 + 2 * MIN }, 'waiting', null],
  ])('%s', (_why, s, over, outcome, exitCode) => {
    const v = judge(s, ctx(over));
    expect([v.outcome, v.exitCode]).toEqual([outcome, exitCode]);
  });

  const statuses = fc.constantFrom('Complete', 'Failed', 'Refreshing', 'Pending');
  it('exits 0 only when every URL completed, and never 0 or 4 when one failed', () => {
    fc.assert(
      fc.property(fc.array(statuses, { minLength: 1, maxLength: 30 }), fc.boolean(), fc.integer({ min: 0, max: 40 }), (list, failFast, minutes) => {
        const v = judge(snap(list.map((st, i) => row('1', i, st))), ctx({ failFast, nowMs: T0 + minutes * MIN }));
        expect(v.exitCode === 0).toBe(list.every((st) => st === 'Complete'));
        if (list.includes('Failed')) expect([1, null]).toContain(v.exitCode);
        expect(v.counts.complete + v.counts.failed + v.counts.unfinished).toBe(list.length);
      }),
    );
  });
});

describe('pauses', () => {
  it('start at 10 s and grow by half up to the cap, never shrinking', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => pauseAfter(n, DEFAULT_SCHEDULE))).toEqual([10_000, 15_000, 22_500, 33_750, 50_625, 60_000, 60_000]);
    fc.assert(
      fc.property(fc.integer({ min: 1000, max: 600_000 }), fc.integer({ min: 0, max: 50 }), (maxMs, n) => {
        const s = { ...DEFAULT_SCHEDULE, maxMs };
        expect(pauseAfter(n + 1, s)).toBeGreaterThanOrEqual(pauseAfter(n, s));
        expect(pauseAfter(n, s)).toBeLessThanOrEqual(maxMs);
      }),
    );
  });
});

describe('the lookups a poll plans', () => {
  const many = (taskId: string, n: number, status: (i: number) => string) => Array.from({ length: n }, (_, i) => row(taskId, i, status(i)));

  it('lists a task id whole while it has as many unfinished URLs as pages, then looks the few left up one by one', () => {
    const f = new Follow({ taskIds: ['7'], urls: [] });
    expect(f.plan()).toEqual([{ kind: 'task', taskId: '7' }]);
    f.observeTask(
      '7',
      many('7', 200, (i) => (i < 190 ? 'Complete' : 'Refreshing')),
      200,
    );
    expect(f.plan()).toEqual([{ kind: 'task', taskId: '7' }]);
    f.observeTask(
      '7',
      many('7', 200, (i) => (i < 197 ? 'Complete' : 'Refreshing')),
      200,
    );
    expect(f.plan()).toEqual([197, 198, 199].map((i) => ({ kind: 'row', taskId: '7', url: `http://video.example.com/${i}.ts` })));
    f.observeRow('7', 'http://video.example.com/197.ts', [row('7', 197, 'Failed')]);
    expect(f.plan()).toHaveLength(2);
    expect(f.snapshot().rows.filter((r) => r.status === 'Failed')).toHaveLength(1);
  });

  it('looks for submitted URLs under the ids answered, ignoring the other URLs merged into them', () => {
    const f = new Follow({ taskIds: ['7', '8'], urls: ['http://video.example.com/1.ts', 'http://VOD.example.cn/x.ts'] });
    expect(f.plan()).toEqual([
      { kind: 'task', taskId: '7' },
      { kind: 'task', taskId: '8' },
    ]);
    f.observeTask('7', [row('7', 1, 'Refreshing'), row('7', 2, 'Refreshing')], 2);
    f.observeTask('8', [{ ...row('8', 0, 'Complete'), objectPath: 'http://vod.example.cn/x.ts' }], 1);
    const s = f.snapshot();
    expect(s.rows.map((r) => r.objectPath).sort()).toEqual(['http://video.example.com/1.ts', 'http://vod.example.cn/x.ts']);
    expect(s.unseen).toEqual([]);
    expect(f.plan()).toEqual([{ kind: 'row', taskId: '7', url: 'http://video.example.com/1.ts' }]);
  });

  it('pins a URL alone to its newest row', () => {
    const f = new Follow({ taskIds: [], urls: ['http://video.example.com/1.ts'] });
    expect(f.plan()).toEqual([{ kind: 'url', url: 'http://video.example.com/1.ts' }]);
    f.observeUrl('http://video.example.com/1.ts', [
      { ...row('5', 1, 'Failed'), createdAtMs: T0 - MIN },
      { ...row('6', 1, 'Refreshing'), createdAtMs: T0 },
    ]);
    expect(f.snapshot().rows.map((r) => r.taskId)).toEqual(['6']);
    expect(f.plan()).toEqual([{ kind: 'row', taskId: '6', url: 'http://video.example.com/1.ts' }]);
  });

  it('never plans more calls than a whole listing of each id costs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 0, max: 400 }), (total, open) => {
        const f = new Follow({ taskIds: ['7'], urls: [] });
        f.observeTask(
          '7',
          many('7', total, (i) => (i < Math.min(open, total) ? 'Refreshing' : 'Complete')),
          total,
        );
        const calls = f.plan().length;
        expect(calls).toBeLessThanOrEqual(Math.min(Math.ceil(total / 50), Math.min(open, total)) || 0);
      }),
    );
  });
});

describe('the input', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 30 * MIN],
    ['1h30m', 90 * MIN],
    ['2H', 120 * MIN],
    [' 45s ', 45_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration('--timeout', text, 1000, 24 * 3600_000)).toBe(ms));

  it.each(['', '30', '1d', 'm', '5 m', '-5m', '1.5h'])('%j is refused', (text) => {
    expect(() => parseDuration('--timeout', text, 1000, 24 * 3600_000)).toThrow(CliError);
  });

  it('drops duplicate ids and URLs', () => {
    expect(waitTargets(['1', '1', '2'], ['http://a.example.com/x', 'http://a.example.com/x'])).toEqual({
      taskIds: ['1', '2'],
      urls: ['http://a.example.com/x'],
    });
  });
});

describe('the loop, on a virtual clock', () => {
  function clock() {
    let t = T0;
    return {
      now: () => t,
      sleep: async (ms: number) => {
        t += ms;
      },
    };
  }
  const options = { startedMs: T0, deadlineMs: T0 + 5 * MIN, failFast: false, notFoundAfterMs: 2 * MIN, schedule: DEFAULT_SCHEDULE };

  it('makes its last look before the deadline, and then stops with a timeout', async () => {
    const c = clock();
    const looks: number[] = [];
    const v = await waitLoop({ ...c, poll: async () => looks.push(c.now()), snapshot: () => snap([row('1', 1, 'Refreshing')]) }, options);
    expect(v.outcome).toBe('timeout');
    expect(looks.at(-1)).toBe(T0 + 5 * MIN - LAST_LOOK_MS);
    expect(looks.every((t) => t <= T0 + 5 * MIN)).toBe(true);
  });

  it.each<[string, unknown, string]>([
    ['the deadline reached inside a poll', new DeadlineError(), 'timeout'],
    ['the API refusing after the retries', new VodError({ code: 'Throttling', message: 'x', retryable: true }), 'unreadable'],
  ])('turns %s into its outcome', async (_why, err, outcome) => {
    const c = clock();
    const v = await waitLoop({ ...c, poll: () => Promise.reject(err), snapshot: () => snap([row('1', 1, 'Refreshing')]) }, options);
    expect(v.outcome).toBe(outcome);
  });

  it('lets a refused query (our own bug, or bad input) through as it is', async () => {
    const c = clock();
    await expect(waitLoop({ ...c, poll: () => Promise.reject(new VodParamError('InvalidParameter', 'x')), snapshot: () => snap([]) }, options)).rejects.toThrow(
      VodParamError,
    );
  });
});
