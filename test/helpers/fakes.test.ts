// The fake VOD API indexes its rows so that the review tests' large accounts cost their window per call; this checks
// the index against the brute force it replaced (filter every row, sort newest first, slice the page).
import fc from 'fast-check';
import { formatApiTime, parseApiTime } from '../../lib/vod/time';
import { type FakeRow, FakeVodApi } from './fakes';

const T0 = Date.parse('2026-11-28T12:00:00Z');
const STATUSES = ['Complete', 'Failed', 'Refreshing', 'Pending'] as const;
const TYPES = ['file', 'directory', 'preload'] as const;

/** The answer the fake gave before it was indexed, over a copy of its rows (`set` changed the first of a key). */
function bruteForce(rows: readonly FakeRow[], params: Record<string, string>, now: number) {
  const start = params.StartTime ? parseApiTime(params.StartTime)! : now - 3 * 86_400_000;
  const end = params.EndTime ? parseApiTime(params.EndTime)! : now;
  const match = rows
    .filter((r) => {
      const t = parseApiTime(r.CreationTime)!;
      return (
        t >= start &&
        t <= end &&
        (!params.TaskId || r.TaskId === params.TaskId) &&
        (!params.ObjectPath || r.ObjectPath === params.ObjectPath) &&
        (!params.ObjectType || r.ObjectType === params.ObjectType) &&
        (!params.Status || r.Status === params.Status)
      );
    })
    .sort((a, b) => b.CreationTime.localeCompare(a.CreationTime) || b.TaskId.localeCompare(a.TaskId) || a.ObjectPath.localeCompare(b.ObjectPath));
  const size = Number(params.PageSize ?? 20);
  const page = Number(params.PageNumber ?? 1);
  return { total: match.length, keys: match.slice((page - 1) * size, page * size).map((r) => `${r.TaskId} ${r.ObjectPath} ${r.Status}`) };
}

const rowArb = fc.record({
  sec: fc.integer({ min: -20, max: 20 }),
  id: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
  path: fc.integer({ min: 0, max: 9 }),
  type: fc.constantFrom(...TYPES),
  status: fc.constantFrom(...STATUSES),
});

/** Each filter in about one query of three, so that most answers hold rows to order and page. */
const rarely = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });

const queryArb = fc
  .record({
    StartTime: rarely(fc.integer({ min: -25, max: 25 }).map((s) => formatApiTime(T0 + s * 1000))),
    EndTime: rarely(fc.integer({ min: -25, max: 25 }).map((s) => formatApiTime(T0 + s * 1000))),
    TaskId: rarely(fc.integer({ min: 0, max: 7 }).map((i) => String(900 + i))),
    ObjectPath: rarely(fc.integer({ min: 0, max: 10 }).map((i) => `http://v.example.com/${i}.mp4`)),
    ObjectType: rarely(fc.constantFrom(...TYPES)),
    Status: rarely(fc.constantFrom(...STATUSES)),
    PageSize: rarely(fc.constantFrom('1', '3', '20')),
    PageNumber: rarely(fc.constantFrom('1', '2', '4')),
  })
  .map((q) => Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as Record<string, string>);

/** Rows added, a query, a status change, more rows, another query: the index must follow both. */
const stepArb = fc.record({ rows: fc.array(rowArb, { maxLength: 30 }), query: queryArb, change: fc.nat(), to: fc.constantFrom(...STATUSES) });

it('answers every query as filtering and sorting all rows would, while rows are added and changed (property)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 4 }), async (steps) => {
      const api = new FakeVodApi(() => T0 + 30_000);
      const model: FakeRow[] = [];
      for (const step of steps) {
        for (const r of step.rows) {
          const added = api.add({
            ObjectPath: `http://v.example.com/${r.path}.mp4`,
            createdMs: T0 + r.sec * 1000 + 123,
            ObjectType: r.type,
            Status: r.status,
            ...(r.id === undefined ? {} : { TaskId: String(900 + r.id) }),
          });
          model.push({ ...added });
        }
        const changed = model[step.change % Math.max(1, model.length)];
        if (changed) {
          api.set(changed.TaskId, changed.ObjectPath, { Status: step.to });
          Object.assign(model.find((m) => m.TaskId === changed.TaskId && m.ObjectPath === changed.ObjectPath)!, { Status: step.to });
        }
        const got = await api.describeRefreshTasks(step.query);
        expect({ total: got.totalCount, keys: got.tasks.map((t) => `${t.taskId} ${t.objectPath} ${t.status}`) }).toEqual(
          bruteForce(model, step.query, T0 + 30_000),
        );
      }
    }),
    { numRuns: 300 },
  );
});

it('follows a row whose TaskId or creation time is changed through set', async () => {
  const api = new FakeVodApi(() => T0);
  const row = api.add({ ObjectPath: 'http://v.example.com/a.mp4', createdMs: T0 - 60_000 });
  api.set(row.TaskId, row.ObjectPath, { TaskId: '42', CreationTime: formatApiTime(T0 - 5 * 86_400_000) });
  expect((await api.describeRefreshTasks({ TaskId: '42' })).totalCount).toBe(0);
  api.set('42', row.ObjectPath, { CreationTime: formatApiTime(T0 - 1000) });
  expect((await api.describeRefreshTasks({ TaskId: '42' })).tasks.map((t) => t.createdAtMs)).toEqual([T0 - 1000]);
});
