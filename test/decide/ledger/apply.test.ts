import { Ledger } from '../../../lib/decide/ledger';
import { failedKey, recoveredKey, stuckKey } from '../../../lib/events/keys';
import { rowKey } from '../../../lib/identity';
import { emptyState, type MonitorState } from '../../../lib/state/schema';
import { formatApiTime } from '../../../lib/vod/time';
import type { RefreshTask } from '../../../lib/vod/types';
import { logSink } from '../../helpers/sink';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const MIN = 60_000;
const URL = 'http://v.example.com/a.mp4';
const ctx = { nowMs: NOW, listSinceMs: NOW - 60 * MIN, stuckAfterMs: 30 * MIN, legacyBeforeMs: NOW, wanted: (r: RefreshTask) => r.objectType !== 'preload' };

function row(taskId: string, status: string, ageMin: number, over: Partial<RefreshTask> = {}): RefreshTask {
  const createdAtMs = NOW - ageMin * MIN;
  return {
    taskId,
    objectPath: URL,
    objectType: 'file',
    status,
    process: '',
    creationTime: formatApiTime(createdAtMs),
    createdAtMs,
    description: status === 'Failed' ? 'Origin Timeout' : null,
    ...over,
  };
}
const key = (id: string) => rowKey(id, URL);
const watchedAs = (r: RefreshTask, over: Partial<MonitorState['watching'][string]> = {}) => ({
  [key(r.taskId)]: {
    task: {
      taskId: r.taskId,
      objectPath: URL,
      objectType: r.objectType,
      status: r.status,
      description: null,
      creationTime: r.creationTime,
      domain: 'v.example.com',
    },
    createdAtMs: r.createdAtMs!,
    firstSeenMs: NOW - 50 * MIN,
    checkedAtMs: NOW - 50 * MIN,
    stuckAtMs: null,
    ...over,
  },
});
const failure = (id: string, ageMin: number) => ({
  key: key(id),
  taskId: id,
  objectType: 'file',
  createdAtMs: NOW - ageMin * MIN,
  description: 'Origin Timeout',
  checkedToMs: NOW - ageMin * MIN,
});

/** One run over `rows`: its decisions, and which rows its debug log says changed something. */
function run(state: MonitorState, rows: RefreshTask[], maxWatched?: number) {
  const sink = logSink();
  const l = new Ledger(state, ctx, sink.logger, maxWatched);
  l.observe(rows);
  const d = l.finish();
  const logged = sink
    .records()
    .filter((r) => r.event === 'verdict')
    .map((r) => r.verdict);
  return { d, logged, records: sink.records() };
}

describe('applying a verdict: what the row becomes, and whether the run logs it as a change', () => {
  it.each([
    ['new-failure', emptyState(NOW), row('1', 'Failed', 5), true],
    ['already-reported, not watched', { ...emptyState(NOW), reported: { [failedKey(key('1'))]: 1 } }, row('1', 'Failed', 5), false],
    ['backlog', emptyState(NOW), row('1', 'Failed', 90), true],
    ['legacy-reported', { ...emptyState(NOW), legacyIds: { '1': 1 } }, row('1', 'Failed', 5), true],
    ['complete, not watched', emptyState(NOW), row('1', 'Complete', 5), false],
    ['stuck', emptyState(NOW), row('1', 'Refreshing', 40), true],
    ['watching, new', emptyState(NOW), row('1', 'Refreshing', 5), true],
    ['ignored, not watched', emptyState(NOW), row('1', 'Failed', 5, { objectType: 'preload' }), false],
  ] as const)('%s', (_, state, r, logs) => {
    expect(run(state, [r]).logged).toHaveLength(logs ? 1 : 0);
  });

  it('a watched row that ends (already reported, complete) is let go, and that is a change', () => {
    for (const r of [row('1', 'Failed', 5), row('1', 'Complete', 5)]) {
      const s = { ...emptyState(NOW), reported: { [failedKey(key('1'))]: 1 }, watching: watchedAs(row('1', 'Refreshing', 5)) };
      const { d, logged } = run(s, [r]);
      expect(d.watching).toEqual({});
      expect(logged).toHaveLength(1);
    }
  });

  it('a watched row that ends as a legacy failure or as a recovery is let go, and that is a change', () => {
    const watched = { ...emptyState(NOW), watching: watchedAs(row('1', 'Refreshing', 5)) };
    const legacy = run({ ...watched, legacyIds: { '1': 1 } }, [row('1', 'Failed', 5)]);
    expect(legacy.d.verdicts['legacy-reported']).toBe(1);
    expect(legacy.d.watching).toEqual({});
    const recovered = run({ ...watched, failedPaths: { [URL]: failure('0', 20) } }, [row('1', 'Complete', 5)]);
    expect(recovered.d.verdicts.recovered).toBe(1);
    expect(recovered.d.watching).toEqual({});
    // and neither is revived by a stale listing later in the run
    expect(run({ ...watched, legacyIds: { '1': 1 } }, [row('1', 'Failed', 5), row('1', 'Refreshing', 5)]).d.watching).toEqual({});
  });

  it('a watched row read again keeps its one place under the watch cap', () => {
    const s = { ...emptyState(NOW), watching: watchedAs(row('1', 'Refreshing', 5)) };
    const { d } = run(s, [row('1', 'Pending', 5), row('1', 'Refreshing', 5), row('2', 'Refreshing', 5)], 2);
    expect(Object.keys(d.watching)).toEqual([key('1'), key('2')]);
  });

  it('a watched row seen as it was changes nothing; one whose status moved is written again', () => {
    const s = { ...emptyState(NOW), watching: watchedAs(row('1', 'Refreshing', 5)) };
    const same = run(s, [row('1', 'Refreshing', 5)]);
    expect(same.logged).toEqual([]);
    expect(same.d.watching).toEqual(s.watching);
    const moved = run(s, [row('1', 'Pending', 5)]);
    expect(moved.logged).toEqual(['watching']);
    expect(moved.d.watching[key('1')]).toMatchObject({
      task: { status: 'Pending' },
      firstSeenMs: NOW - 50 * MIN,
      checkedAtMs: NOW,
      createdAtMs: NOW - 5 * MIN,
    });
  });

  it('a row first watched this run is seen now', () => {
    expect(run(emptyState(NOW), [row('1', 'Refreshing', 5)]).d.watching[key('1')]).toMatchObject({ firstSeenMs: NOW, checkedAtMs: NOW, stuckAtMs: null });
  });

  it('a watched row no longer of the configured types is let go, silently', () => {
    const r = row('1', 'Refreshing', 5, { objectType: 'preload' });
    const { d, logged } = run({ ...emptyState(NOW), watching: watchedAs(r) }, [r]);
    expect(d.watching).toEqual({});
    expect(logged).toEqual([]);
  });

  it('a row seen finished is not revived by a stale listing later in the run', () => {
    const { d, logged } = run(emptyState(NOW), [row('1', 'Complete', 5), row('1', 'Refreshing', 5)]);
    expect(d.watching).toEqual({});
    expect(d.verdicts.stale).toBe(1);
    expect(logged).toEqual([]);
  });

  it('stuck: told with its age in whole minutes, and watched as stuck from now', () => {
    const { d } = run(emptyState(NOW), [row('1', 'Refreshing', 40, { createdAtMs: NOW - 40 * MIN - 59_000 })]);
    expect(d.events).toEqual([expect.objectContaining({ kind: 'stuck', key: stuckKey(key('1')), ageMinutes: 40 })]);
    expect(d.watching[key('1')]!.stuckAtMs).toBe(NOW);
  });

  it('a watched row already told stuck keeps when it was decided stuck; one told stuck by an older build is stuck from now', () => {
    const r = row('1', 'Refreshing', 40);
    const kept = run({ ...emptyState(NOW), reported: { [stuckKey(key('1'))]: 1 }, watching: watchedAs(r, { stuckAtMs: NOW - 5 * MIN }) }, [r]);
    expect(kept.d.watching[key('1')]!.stuckAtMs).toBe(NOW - 5 * MIN);
    expect(kept.logged).toEqual([]);
    const older = run({ ...emptyState(NOW), reported: { [stuckKey(key('1'))]: 1 }, watching: watchedAs(r) }, [r]);
    expect(older.d.watching[key('1')]!.stuckAtMs).toBe(NOW);
  });

  it('backlog: each old failure counted once a run, even when a listing shows it twice', () => {
    const { d } = run(emptyState(NOW), [row('1', 'Failed', 90), row('1', 'Failed', 90), row('2', 'Failed', 100)]);
    expect(d.events).toEqual([expect.objectContaining({ kind: 'backlog', count: 2 })]);
  });

  it('legacy-reported: the old task ids are counted, each row once, in one notice', () => {
    const { d } = run({ ...emptyState(NOW), legacyIds: { '1': 1 } }, [
      row('1', 'Failed', 5),
      row('1', 'Failed', 5, { objectPath: 'http://v.example.com/b.mp4' }),
    ]);
    const notices = d.events.filter((e) => e.kind === 'notice');
    expect(notices).toHaveLength(1);
    expect(notices[0]!.kind === 'notice' && notices[0]!.message).toMatch(/^2 failed URL\(s\) .*: 1 \(2\)$/);
  });

  it('an unknown status is watched as unfinished and warned of once a run', () => {
    const { d, records } = run(emptyState(NOW), [row('1', 'Queued', 5), { ...row('2', 'Queued', 5) }]);
    expect(Object.keys(d.watching)).toEqual([key('1'), key('2')]);
    expect(records.filter((r) => r.event === 'unknown-status')).toEqual([
      expect.objectContaining({ status: 'Queued', taskId: '1', msg: 'a row has a status this build does not know; it is watched as unfinished' }),
    ]);
    expect(run(emptyState(NOW), [row('1', 'Pending', 5)]).records.filter((r) => r.event === 'unknown-status')).toEqual([]);
  });

  it('past the watch cap a new row is not watched (and told once); a watched row still is', () => {
    const s = { ...emptyState(NOW), watching: watchedAs(row('1', 'Refreshing', 5)) };
    const { d } = run(s, [row('1', 'Pending', 5), row('2', 'Refreshing', 5)], 1);
    expect(Object.keys(d.watching)).toEqual([key('1')]);
    expect(d.watching[key('1')]!.task.status).toBe('Pending');
    expect(d.events.filter((e) => e.kind === 'notice')).toHaveLength(1);
    // a row that ends frees its place
    const freed = run(s, [row('1', 'Complete', 5), row('2', 'Refreshing', 5)], 1);
    expect(Object.keys(freed.d.watching)).toEqual([key('2')]);
  });
});

describe('following a failure for its recovery', () => {
  it('the newest failure of a URL is followed; an older one read later is not', () => {
    const { d } = run(emptyState(NOW), [row('2', 'Failed', 5), row('1', 'Failed', 20)]);
    expect(d.failedPaths[URL]).toEqual(failure('2', 5));
  });

  it('a failure of the same time replaces the one followed', () => {
    const { d } = run(emptyState(NOW), [row('1', 'Failed', 5), row('2', 'Failed', 5)]);
    expect(d.failedPaths[URL]!.taskId).toBe('2');
  });

  it('an already-reported failure read again is still followed (and left as it is when it is the one followed)', () => {
    const reported = { [failedKey(key('1'))]: 1 };
    expect(run({ ...emptyState(NOW), reported }, [row('1', 'Failed', 5)]).d.failedPaths[URL]).toEqual(failure('1', 5));
    const followed = { ...failure('1', 5), checkedToMs: NOW };
    const again = run({ ...emptyState(NOW), reported, failedPaths: { [URL]: followed } }, [row('1', 'Failed', 5)]);
    expect(again.d.failedPaths[URL]).toEqual(followed);
  });

  it('a failure whose recovery was told, or no later than the URL last recovered, is not followed again', () => {
    const told = { ...emptyState(NOW), reported: { [failedKey(key('1'))]: 1, [recoveredKey(key('1'))]: 1 } };
    expect(run(told, [row('1', 'Failed', 20)]).d.failedPaths).toEqual({});
    const recovered = { ...emptyState(NOW), reported: { [failedKey(key('1'))]: 1 }, recoveredPaths: { [URL]: NOW - 20 * MIN } };
    expect(run(recovered, [row('1', 'Failed', 20)]).d.failedPaths).toEqual({});
    expect(run(recovered, [row('1', 'Failed', 19)]).d.failedPaths[URL]!.taskId).toBe('1');
  });

  it('a recovery ends the following, names the failure, and keeps the latest recovery time', () => {
    const s = {
      ...emptyState(NOW),
      reported: { [failedKey(key('1'))]: 1 },
      failedPaths: { [URL]: failure('1', 20) },
      recoveredPaths: { [URL]: NOW - 90 * MIN },
    };
    const { d, logged } = run(s, [row('2', 'Complete', 5)]);
    expect(d.failedPaths).toEqual({});
    expect(d.recoveredPaths[URL]).toBe(NOW - 5 * MIN);
    expect(d.events).toEqual([
      {
        kind: 'recovered',
        key: recoveredKey(key('1')),
        task: {
          taskId: '2',
          objectPath: URL,
          objectType: 'file',
          status: 'Complete',
          description: null,
          creationTime: formatApiTime(NOW - 5 * MIN),
          domain: 'v.example.com',
        },
        failedTaskId: '1',
        failedDescription: 'Origin Timeout',
      },
    ]);
    expect(logged).toEqual(['recovered']);
  });

  it('a new failure is told with the row as the API gave it', () => {
    const { d } = run(emptyState(NOW), [row('1', 'Failed', 5)]);
    expect(d.events).toEqual([
      {
        kind: 'failed',
        key: failedKey(key('1')),
        task: {
          taskId: '1',
          objectPath: URL,
          objectType: 'file',
          status: 'Failed',
          description: 'Origin Timeout',
          creationTime: formatApiTime(NOW - 5 * MIN),
          domain: 'v.example.com',
        },
      },
    ]);
  });
});
