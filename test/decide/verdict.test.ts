import fc from 'fast-check';
import { Ledger, MAX_FAILED_PATHS } from '../../lib/decide/ledger';
import { type RowView, type VerdictContext, verdictOf } from '../../lib/decide/verdict';
import { rowKey } from '../../lib/identity';
import { emptyState, type FailedPath, type MonitorState } from '../../lib/state/schema';
import { formatApiTime } from '../../lib/vod/time';
import type { RefreshTask } from '../../lib/vod/types';
import { silentLogger } from '../helpers/fakes';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const MIN = 60_000;

function row(status: string, ageMin: number, over: Partial<RefreshTask> = {}): RefreshTask {
  const createdAtMs = NOW - ageMin * MIN;
  return {
    taskId: '7001',
    objectPath: 'http://v.example.com/a.mp4',
    objectType: 'file',
    status,
    process: '0%',
    creationTime: formatApiTime(createdAtMs),
    createdAtMs,
    description: status === 'Failed' ? 'Origin Timeout' : null,
    ...over,
  };
}
const K = rowKey('7001', 'http://v.example.com/a.mp4');
const failedAt = (ageMin: number, key = rowKey('7000', 'http://v.example.com/a.mp4')): FailedPath => ({
  key,
  taskId: '7000',
  objectType: 'file',
  createdAtMs: NOW - ageMin * MIN,
  description: 'Internal Error',
  checkedToMs: NOW - ageMin * MIN,
});

const view = (over: Partial<RowView> = {}): RowView => ({
  known: () => false,
  failedPath: () => undefined,
  legacy: () => false,
  finished: () => false,
  watched: () => false,
  ...over,
});
const ctx: VerdictContext = { nowMs: NOW, listSinceMs: -Infinity, stuckAfterMs: 30 * MIN, legacyBeforeMs: null, wanted: () => true };

describe('verdictOf: one row, one verdict (table)', () => {
  it.each<[string, RefreshTask, Partial<RowView>, Partial<VerdictContext>, string]>([
    ['a new failure', row('Failed', 3), {}, {}, 'new-failure'],
    ['a failure already delivered or waiting', row('Failed', 3), { known: (k) => k === `failed:${K}` }, {}, 'already-reported'],
    [
      'the same URL failed under another task id',
      row('Failed', 3),
      { known: (k) => k === `failed:${rowKey('7002', 'http://v.example.com/a.mp4')}` },
      {},
      'new-failure',
    ],
    [
      'another URL of the same task id failed',
      row('Failed', 3, { objectPath: 'http://v.example.com/b.mp4' }),
      { known: (k) => k === `failed:${K}` },
      {},
      'new-failure',
    ],
    ['a failure before the first run lookback', row('Failed', 90), {}, { listSinceMs: NOW - 60 * MIN }, 'backlog'],
    ['a watched row that failed late, before the lookback', row('Failed', 90), { watched: (k) => k === K }, { listSinceMs: NOW - 60 * MIN }, 'new-failure'],
    ['a failure of an id a v1 state reported', row('Failed', 3), { legacy: (id) => id === '7001' }, { legacyBeforeMs: NOW }, 'legacy-reported'],
    [
      'a failure of a legacy id created after the migration',
      row('Failed', 3),
      { legacy: (id) => id === '7001' },
      { legacyBeforeMs: NOW - 10 * MIN },
      'new-failure',
    ],
    [
      'a failure of a legacy id created at the migration itself',
      row('Failed', 10),
      { legacy: (id) => id === '7001' },
      { legacyBeforeMs: NOW - 10 * MIN },
      'legacy-reported',
    ],
    ['a failure of a legacy id, with no migration', row('Failed', 3), { legacy: (id) => id === '7001' }, {}, 'new-failure'],
    ['a failure created at the lookback itself is listed', row('Failed', 60), {}, { listSinceMs: NOW - 60 * MIN }, 'new-failure'],
    ['a row refreshing for 10 minutes', row('Refreshing', 10), {}, {}, 'watching'],
    ['a row refreshing for exactly the stuck threshold is not yet stuck', row('Refreshing', 30), {}, {}, 'watching'],
    ['a row pending for 31 minutes', row('Pending', 31), {}, {}, 'stuck'],
    ['a stuck row already reported', row('Refreshing', 45), { known: (k) => k === `stuck:${K}` }, {}, 'watching'],
    ['a row with an unknown status for 40 minutes', row('Queued', 40), {}, {}, 'stuck'],
    ['an unfinished listing of a row already seen finished this run', row('Refreshing', 5), { finished: (k) => k === K }, {}, 'stale'],
    ['a completed row', row('Complete', 3), {}, {}, 'complete'],
    ['a completed refresh of a failed path', row('Complete', 3), { failedPath: () => failedAt(20) }, {}, 'recovered'],
    ['a completed refresh older than the failure', row('Complete', 3), { failedPath: () => failedAt(2) }, {}, 'complete'],
    ['a completed refresh created with the failure, in the same second', row('Complete', 20), { failedPath: () => failedAt(20) }, {}, 'recovered'],
    ['the failed row itself, listed complete by a later page', row('Complete', 3), { failedPath: () => failedAt(20, K) }, {}, 'complete'],
    [
      'a completed preload of a path whose file refresh failed',
      row('Complete', 3, { objectType: 'preload' }),
      { failedPath: () => failedAt(20) },
      {},
      'complete',
    ],
    [
      'a recovery already reported',
      row('Complete', 3),
      { failedPath: () => failedAt(20), known: (k) => k === `recovered:${failedAt(20).key}` },
      {},
      'complete',
    ],
    ['a row of a domain not watched', row('Failed', 3), {}, { wanted: () => false }, 'ignored'],
  ])('%s', (_name, r, v, c, verdict) => {
    expect(verdictOf(r, rowKey(r.taskId, r.objectPath), r.createdAtMs!, view(v), { ...ctx, ...c })).toBe(verdict);
  });
});

describe('the ledger', () => {
  it('applies "finished wins": a row seen Failed, then Refreshing on a later page, is not watched again', () => {
    const l = new Ledger(emptyState(NOW), ctx, silentLogger());
    l.observe([row('Failed', 3)]);
    l.observe([row('Refreshing', 3)]);
    const d = l.finish();
    expect(d.watching).toEqual({});
    expect(d.events.map((e) => e.kind)).toEqual(['failed']);
    expect(d.verdicts).toMatchObject({ 'new-failure': 1, stale: 1 });
  });

  it('decides stuck only on what it reads (or last knew, when the row cannot be read): closing a run decides no row', () => {
    const l = new Ledger(emptyState(NOW), { ...ctx, nowMs: NOW - 40 * MIN }, silentLogger());
    l.observe([row('Pending', 0, { createdAtMs: NOW - 41 * MIN, creationTime: formatApiTime(NOW - 41 * MIN) })]);
    const first = l.finish(NOW - 40 * MIN);
    expect(first.events).toEqual([]);
    const state = { ...emptyState(NOW), watching: first.watching };
    // Not read this run: nothing is decided about it (read looks it up when it crosses the threshold).
    expect(new Ledger(state, ctx, silentLogger()).finish(NOW).events).toEqual([]);
    // Its lookup refused: decided on what was last known of it, stuck past the threshold, once.
    const unread = new Ledger(state, ctx, silentLogger());
    unread.unreadable(K);
    unread.unreadable(K);
    const d = unread.finish(NOW);
    expect(d.events.map((e) => e.key)).toEqual([`stuck:${K}`]);
    expect(d.watching[K]?.stuckAtMs).toBe(NOW);
  });

  it('counts a merged task id URL by URL (property): one failed event per failed row, whatever the order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('Complete', 'Failed', 'Refreshing', 'Pending'), { minLength: 1, maxLength: 2000 }),
        fc.integer(),
        (statuses, seed) => {
          const rows = statuses.map((s, i) => row(s, 5, { objectPath: `http://v.example.com/batch/${i}.mp4` }));
          const shuffled = [...rows].sort((a, b) => ((a.objectPath.length * 31 + seed) % 7) - ((b.objectPath.length * 17 + seed) % 7));
          const l = new Ledger(emptyState(NOW), ctx, silentLogger());
          for (let i = 0; i < shuffled.length; i += 50) l.observe(shuffled.slice(i, i + 50));
          const d = l.finish();
          expect(d.events.filter((e) => e.kind === 'failed')).toHaveLength(statuses.filter((s) => s === 'Failed').length);
          expect(Object.keys(d.watching)).toHaveLength(statuses.filter((s) => s === 'Refreshing' || s === 'Pending').length);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('tells once, not silently, when the watch limit is reached', () => {
    const l = new Ledger(emptyState(NOW), ctx, silentLogger(), 3);
    l.observe(Array.from({ length: 5 }, (_, i) => row('Refreshing', 2, { objectPath: `http://v.example.com/${i}.mp4` })));
    const d = l.finish();
    expect(Object.keys(d.watching)).toHaveLength(3);
    expect(d.events).toEqual([expect.objectContaining({ kind: 'notice', key: 'notice:watch-limit', code: 'WatchLimit' })]);
    const again = new Ledger({ ...emptyState(NOW), watching: d.watching, reported: { 'notice:watch-limit': NOW + MIN } }, ctx, silentLogger(), 3);
    again.observe([row('Refreshing', 2, { objectPath: 'http://v.example.com/9.mp4' })]);
    expect(again.finish().events).toEqual([]);
  });
});

describe('the failed URLs followed', () => {
  it(`keeps the newest ${MAX_FAILED_PATHS} for recoveries and reminders, and says how many it let go`, () => {
    const failedPaths: MonitorState['failedPaths'] = {};
    const n = MAX_FAILED_PATHS + 25;
    for (let i = 0; i < n; i++)
      failedPaths[`http://v.example.com/${i}.mp4`] = {
        key: `${i}/k`,
        taskId: String(i),
        objectType: 'file',
        createdAtMs: NOW - 60 * MIN + ((i * 7919) % n) * 100,
        description: 'Origin Timeout',
        checkedToMs: NOW,
      };
    const logged: Array<Record<string, unknown>> = [];
    const logger = { ...silentLogger(), warn: (o: Record<string, unknown>) => void logged.push(o) } as unknown as ReturnType<typeof silentLogger>;
    const d = new Ledger({ ...emptyState(NOW), failedPaths }, ctx, logger).finish(NOW);
    const kept = Object.values(d.failedPaths).map((f) => f.createdAtMs);
    expect(kept).toHaveLength(MAX_FAILED_PATHS);
    const dropped = Object.values(failedPaths)
      .map((f) => f.createdAtMs)
      .filter((t) => !kept.includes(t));
    expect(Math.max(...dropped)).toBeLessThanOrEqual(Math.min(...kept));
    expect(logged).toEqual([expect.objectContaining({ event: 'failed-paths-cap', dropped: 25 })]);
  });
});
