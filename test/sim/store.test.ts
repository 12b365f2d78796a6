import { seededRandom } from '../../sim/random';
import { MAX_ROWS_PER_TASK, type SimTask, seedHistory, TaskStore } from '../../sim/vod/store';

const T0 = Date.parse('2026-11-28T10:00:00Z');
const url = (host: string, i: number) => `http://${host}/videos/${i}/video.mp4`;
const urls = (host: string, n: number, from = 0) => Array.from({ length: n }, (_, i) => url(host, from + i));
const window = { startMs: T0 - 3 * 86_400_000, endMs: T0 + 86_400_000, pageNumber: 1, pageSize: 50 };

describe('TaskStore rows', () => {
  it('hands out increasing digit TaskIds from 700000000, and moves past a given numeric id', () => {
    const store = new TaskStore();
    expect(store.add({ ObjectPath: url('a.example.com', 1), creationMs: T0 }).TaskId).toBe('700000000');
    expect(store.add({ ObjectPath: url('a.example.com', 2), creationMs: T0 }).TaskId).toBe('700000001');
    store.add({ TaskId: '800000000', ObjectPath: url('a.example.com', 3), creationMs: T0 });
    expect(store.add({ ObjectPath: url('a.example.com', 4), creationMs: T0 }).TaskId).toBe('800000001');
  });

  it('identifies a row by (TaskId, ObjectPath): a second path joins the id, the same path again throws', () => {
    const store = new TaskStore();
    const first = store.add({ ObjectPath: url('a.example.com', 1), creationMs: T0, Status: 'Refreshing' });
    store.add({ TaskId: first.TaskId, ObjectPath: url('a.example.com', 2), creationMs: T0, Status: 'Refreshing' });
    expect(() => store.add({ TaskId: first.TaskId, ObjectPath: url('a.example.com', 1), creationMs: T0 })).toThrow(/exists already/);
    expect(store.rowsOf(first.TaskId).map((r) => r.ObjectPath)).toEqual([url('a.example.com', 1), url('a.example.com', 2)]);
    expect(store.get(first.TaskId)).toBe(first);
    expect(store.size).toBe(2);
  });

  it('adds all of a bulk or nothing', () => {
    const store = new TaskStore();
    const rows = [
      { TaskId: '1', ObjectPath: url('a.example.com', 1), creationMs: T0 },
      { TaskId: '1', ObjectPath: url('a.example.com', 1), creationMs: T0 },
    ];
    expect(() => store.addMany(rows)).toThrow(/exists already/);
    expect(store.size).toBe(0);
    expect(store.rowsOf('1')).toEqual([]);
  });

  it('update changes every row of an id, updateRow one; Complete sets 100%, Failed without a Description sets Internal Error', () => {
    const store = new TaskStore();
    const { taskIds } = store.submit({ urls: urls('a.example.com', 3), kind: 'file', atMs: T0 });
    const id = taskIds[0]!;
    store.update(id, { Status: 'Complete' });
    expect(store.rowsOf(id).map((r) => [r.Status, r.Process])).toEqual(Array(3).fill(['Complete', '100%']));
    const row = store.updateRow(id, url('a.example.com', 1), { Status: 'Failed' });
    expect(row).toMatchObject({ Status: 'Failed', Description: 'Internal Error' });
    expect(store.rowsOf(id).filter((r) => r.Status === 'Failed')).toHaveLength(1);
    expect(() => store.updateRow(id, url('a.example.com', 9), { Status: 'Failed' })).toThrow(/no simulated row/);
    expect(() => store.update('42', { Status: 'Failed' })).toThrow(/no simulated task/);
  });
});

describe('the merge rule of refresh and preload submissions', () => {
  it('merges URLs of one domain, second and kind into one id', () => {
    const store = new TaskStore();
    const first = store.submit({ urls: urls('a.example.com', 5), kind: 'file', atMs: T0 + 100 });
    const later = store.submit({ urls: urls('a.example.com', 3, 5), kind: 'file', atMs: T0 + 900 });
    expect(first.taskIds).toHaveLength(1);
    expect(later.taskIds).toEqual(first.taskIds);
    expect(store.rowsOf(first.taskIds[0]!)).toHaveLength(8);
  });

  it('gives two domains two ids, and a new second a new id', () => {
    const store = new TaskStore();
    const mixed = store.submit({ urls: [url('a.example.com', 1), url('B.example.com', 2), url('a.example.com', 3)], kind: 'file', atMs: T0 });
    expect(mixed.taskIds).toHaveLength(2);
    expect(store.rowsOf(mixed.taskIds[0]!).map((r) => r.ObjectPath)).toEqual([url('a.example.com', 1), url('a.example.com', 3)]);
    const next = store.submit({ urls: [url('a.example.com', 4)], kind: 'file', atMs: T0 + 1000 });
    expect(mixed.taskIds).not.toContain(next.taskIds[0]);
  });

  it('splits 4,500 URLs of one second into ids of 2000, 2000 and 500', () => {
    const store = new TaskStore();
    const { taskIds } = store.submit({ urls: urls('a.example.com', 4500), kind: 'file', atMs: T0 });
    expect(taskIds.map((id) => store.rowsOf(id).length)).toEqual([MAX_ROWS_PER_TASK, MAX_ROWS_PER_TASK, 500]);
    const more = store.submit({ urls: urls('a.example.com', 10, 4500), kind: 'file', atMs: T0 + 500 });
    expect(more.taskIds).toEqual([taskIds[2]]);
  });

  it('keeps a preload and a refresh of one second apart, each with its ObjectType', () => {
    const store = new TaskStore();
    const refresh = store.submit({ urls: [url('a.example.com', 1)], kind: 'file', atMs: T0 });
    const dir = store.submit({ urls: ['http://a.example.com/videos/'], kind: 'directory', atMs: T0 });
    const preload = store.submit({ urls: [url('a.example.com', 1)], kind: 'preload', atMs: T0 });
    expect(new Set([refresh.taskIds[0], dir.taskIds[0], preload.taskIds[0]]).size).toBe(3);
    expect([refresh, dir, preload].map((s) => s.rows[0]!.ObjectType)).toEqual(['file', 'directory', 'preload']);
    expect(refresh.rows[0]).toMatchObject({ Status: 'Refreshing', Process: '0%', CreationTime: '2026-11-28T10:00:00Z' });
  });
});

describe('per-row evolution', () => {
  it('gives each row of a 12-URL batch its own fate: one fails with its Description, one hangs, the rest complete', () => {
    const store = new TaskStore();
    const list = urls('a.example.com', 12);
    const { taskIds } = store.submit({
      urls: list,
      kind: 'file',
      atMs: T0,
      fate: (_u, i) =>
        i === 3
          ? { afterMs: 30_000, Status: 'Failed', Description: 'Origin Return StatusCode 5XX' }
          : i === 7
            ? { hang: true }
            : { afterMs: 60_000, Status: 'Complete' },
    });
    expect(taskIds).toHaveLength(1);
    const id = taskIds[0]!;
    expect(store.advance(T0 + 29_999)).toBe(0);
    expect(store.advance(T0 + 30_000)).toBe(1);
    expect(store.advance(T0 + 10 * 60_000)).toBe(10);
    const { total, rows } = store.query({ ...window, taskId: id });
    expect(total).toBe(12);
    const byPath = new Map(rows.map((r) => [r.ObjectPath, r]));
    expect(byPath.get(list[3]!)).toMatchObject({ Status: 'Failed', Description: 'Origin Return StatusCode 5XX' });
    expect(byPath.get(list[7]!)).toMatchObject({ Status: 'Refreshing', Process: '0%' });
    expect(rows.filter((r) => r.Status === 'Complete' && r.Process === '100%')).toHaveLength(10);
    expect(rows.filter((r) => r.Description !== undefined)).toHaveLength(1);
  });

  it('applies scheduled changes of one row in time order, each once', () => {
    const store = new TaskStore();
    const row = store.add({ ObjectPath: url('a.example.com', 1), creationMs: T0, Status: 'Pending' });
    store.schedule(row.TaskId, row.ObjectPath, T0 + 2000, { Status: 'Failed', Description: 'Origin Timeout' });
    store.schedule(row.TaskId, row.ObjectPath, T0 + 1000, { Status: 'Refreshing', Process: '50%' });
    expect(store.advance(T0 + 1500)).toBe(1);
    expect(store.get(row.TaskId)).toMatchObject({ Status: 'Refreshing', Process: '50%' });
    expect(store.advance(T0 + 5000)).toBe(1);
    expect(store.advance(T0 + 9000)).toBe(0);
    expect(store.query({ ...window, objectType: 'file', status: 'Failed' }).rows).toEqual([row]);
    expect(() => store.schedule('1', 'http://x.example.com/', T0, { Status: 'Failed' })).toThrow(/no simulated row/);
  });
});

describe('seedHistory', () => {
  const NOW = T0;
  const ids = (rows: SimTask[]) => new Set(rows.map((r) => r.TaskId));
  const host = (path: string) => new URL(path).hostname;

  it('creates exactly count rows in CMS-like batches: rows of an id share domain, second and type, at most 2,000 per id', () => {
    const store = new TaskStore();
    const rows = seedHistory(store, { nowMs: NOW, count: 20_000, random: seededRandom(4) });
    expect(store.size).toBe(20_000);
    expect(ids(rows).size).toBeLessThan(rows.length / 3);
    const groups = new Map<string, SimTask[]>();
    for (const r of rows) groups.set(r.TaskId, [...(groups.get(r.TaskId) ?? []), r]);
    for (const [, group] of groups) {
      expect(group.length).toBeLessThanOrEqual(MAX_ROWS_PER_TASK);
      expect(new Set(group.map((r) => `${host(r.ObjectPath)} ${r.CreationTime} ${r.ObjectType}`)).size).toBe(1);
      expect(new Set(group.map((r) => r.ObjectPath)).size).toBe(group.length);
    }
    expect(Math.max(...[...groups.values()].map((g) => g.length))).toBeGreaterThan(50);
  });

  it('keeps unfinished rows to the last 10 minutes, failures at about failureRate, and one row per id when unbatched', () => {
    const store = new TaskStore();
    const rows = seedHistory(store, { nowMs: NOW, count: 10_000, random: seededRandom(5), batch: false, failureRate: 0.05, unfinishedRate: 0.02 });
    expect(ids(rows).size).toBe(10_000);
    const unfinished = rows.filter((r) => r.Status === 'Refreshing' || r.Status === 'Pending');
    expect(unfinished.length).toBeGreaterThan(100);
    for (const r of unfinished) expect(Date.parse(r.CreationTime)).toBeGreaterThan(NOW - 10 * 60_000 - 1000);
    const failed = rows.filter((r) => r.Status === 'Failed');
    expect(failed.length / rows.length).toBeGreaterThan(0.04);
    expect(failed.length / rows.length).toBeLessThan(0.06);
    for (const r of failed) expect(['Internal Error', 'Origin Timeout', 'Origin Return StatusCode 5XX']).toContain(r.Description);
    for (const r of rows) expect(Date.parse(r.CreationTime)).toBeGreaterThan(NOW - 3 * 86_400_000);
  });

  it('without failures or unfinished rows, everything is Complete at 100%', () => {
    const store = new TaskStore();
    const rows = seedHistory(store, { nowMs: NOW, count: 3000, random: seededRandom(6), failureRate: 0, unfinishedRate: 0 });
    expect(rows.every((r) => r.Status === 'Complete' && r.Process === '100%' && r.Description === undefined)).toBe(true);
  });
});
