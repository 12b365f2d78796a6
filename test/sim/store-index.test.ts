import fc from 'fast-check';
import { seededRandom } from '../../sim/random';
import { type RowQuery, type SimTask, seedHistory, TaskStore } from '../../sim/vod/store';

const T0 = Date.parse('2026-11-28T10:00:00Z');
const TYPES = ['file', 'directory', 'preload'] as const;
const STATUSES = ['Complete', 'Failed', 'Refreshing', 'Pending'] as const;
const HOSTS = ['a.example.com', 'b.example.com', 'c.example.com'];

/** The brute-force answers over `rows`: sort all newest first (CreationTime, TaskId numerically, then ObjectPath), then filter and slice. */
function oracle(rows: SimTask[]): (q: RowQuery) => { total: number; keys: string[] } {
  const sorted = rows
    .map((r) => ({ r, created: Date.parse(r.CreationTime), id: BigInt(r.TaskId), host: new URL(r.ObjectPath).hostname }))
    .sort(
      (a, b) =>
        b.created - a.created || (b.id > a.id ? 1 : b.id < a.id ? -1 : 0) || (a.r.ObjectPath < b.r.ObjectPath ? -1 : a.r.ObjectPath > b.r.ObjectPath ? 1 : 0),
    );
  return (q) => {
    const matching = sorted.filter(
      ({ r, created, host }) =>
        created >= q.startMs &&
        created <= q.endMs &&
        (q.objectType === undefined || r.ObjectType === q.objectType) &&
        (q.status === undefined || r.Status === q.status) &&
        (q.domain === undefined || host === q.domain) &&
        (q.taskId === undefined || r.TaskId === q.taskId) &&
        (q.objectPath === undefined || r.ObjectPath === q.objectPath),
    );
    const from = (q.pageNumber - 1) * q.pageSize;
    return { total: matching.length, keys: matching.slice(from, from + q.pageSize).map(({ r }) => key(r)) };
  };
}

const key = (r: SimTask) => `${r.TaskId} ${r.ObjectPath} ${r.Status} ${r.ObjectType} ${r.CreationTime}`;

function check(store: TaskStore, q: RowQuery, answer = oracle(store.all())): void {
  const got = store.query(q);
  expect({ total: got.total, keys: got.rows.map(key) }).toEqual(answer(q));
}

/** Filters are set about half of the time, TaskId and ObjectPath lookups a quarter. */
const maybe = { nil: undefined, freq: 2 };
const rarely = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: arb, weight: 1 });

const rowArb = fc.record({
  sec: fc.integer({ min: 0, max: 9 }),
  id: fc.integer({ min: 0, max: 12 }),
  path: fc.integer({ min: 0, max: 15 }),
  host: fc.constantFrom(...HOSTS),
  type: fc.constantFrom(...TYPES),
  status: fc.constantFrom(...STATUSES),
});

const changeArb = fc.record({
  pick: fc.nat(),
  whole: fc.boolean(),
  status: fc.option(fc.constantFrom(...STATUSES), maybe),
  type: fc.option(fc.constantFrom(...TYPES), { nil: undefined }),
  sec: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }),
});

const queryArb = fc.record({
  a: fc.integer({ min: -1, max: 10 }),
  b: fc.integer({ min: -1, max: 10 }),
  objectType: fc.option(fc.constantFrom(...TYPES), maybe),
  status: fc.option(fc.constantFrom(...STATUSES), maybe),
  domain: fc.option(fc.constantFrom(...HOSTS), maybe),
  id: rarely(fc.integer({ min: 0, max: 12 })),
  path: rarely(fc.integer({ min: 0, max: 15 })),
  pageNumber: fc.integer({ min: 1, max: 4 }),
  pageSize: fc.integer({ min: 1, max: 6 }),
});

const at = (sec: number) => new Date(T0 + sec * 1000).toISOString().replace('.000Z', 'Z');
const idOf = (n: number) => String(700_000 + n * 7);
const pathOf = (host: string, n: number) => `http://${host}/v/${n}.mp4`;

describe('TaskStore.query against a brute-force oracle', () => {
  it('agrees for random rows, bulk and single adds, random changes and random queries', () => {
    fc.assert(
      fc.property(
        fc.array(rowArb, { maxLength: 120, size: 'medium' }),
        fc.boolean(),
        fc.array(changeArb, { maxLength: 40 }),
        fc.array(queryArb, { minLength: 1, maxLength: 15 }),
        (rows, bulk, changes, queries) => {
          const store = new TaskStore();
          const seen = new Set<string>();
          const inputs = rows
            .map((r) => ({ TaskId: idOf(r.id), ObjectPath: pathOf(r.host, r.path), ObjectType: r.type, Status: r.status, creationMs: T0 + r.sec * 1000 }))
            .filter((r) => !seen.has(`${r.TaskId} ${r.ObjectPath}`) && seen.add(`${r.TaskId} ${r.ObjectPath}`));
          if (bulk) store.addMany(inputs);
          else for (const input of inputs) store.add(input);
          for (const c of changes) {
            const all = store.all();
            const row = all[c.pick % Math.max(1, all.length)];
            if (!row) break;
            const patch = {
              ...(c.status ? { Status: c.status } : {}),
              ...(c.type ? { ObjectType: c.type } : {}),
              ...(c.sec !== undefined ? { CreationTime: at(c.sec) } : {}),
            };
            if (c.whole) store.update(row.TaskId, patch);
            else store.updateRow(row.TaskId, row.ObjectPath, patch);
          }
          for (const q of queries) {
            const host = q.domain ?? HOSTS[0]!;
            check(store, {
              startMs: T0 + Math.min(q.a, q.b) * 1000,
              endMs: T0 + Math.max(q.a, q.b) * 1000,
              ...(q.objectType ? { objectType: q.objectType } : {}),
              ...(q.status ? { status: q.status } : {}),
              ...(q.domain ? { domain: q.domain } : {}),
              ...(q.id !== undefined ? { taskId: idOf(q.id) } : {}),
              ...(q.path !== undefined ? { objectPath: pathOf(host, q.path) } : {}),
              pageNumber: q.pageNumber,
              pageSize: q.pageSize,
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('agrees at a few thousand rows, after thousands of changes that move rows across index blocks', () => {
    const store = new TaskStore();
    const random = seededRandom(21);
    seedHistory(store, { nowMs: T0, count: 6000, random, spanMs: 3 * 3600_000 });
    // One by one into the same old second: the block there grows past twice its size and splits.
    for (let i = 0; i < 2500; i++)
      store.add({ ObjectPath: `http://vod.example.cn/late/${i}.mp4`, creationMs: T0 - 3600_000, Status: STATUSES[i % 4]!, ObjectType: TYPES[i % 3]! });
    const all = store.all();
    for (let i = 0; i < 3000; i++) {
      const row = all[Math.floor(random() * all.length)]!;
      const r = random();
      const patch =
        r < 0.6
          ? { Status: STATUSES[Math.floor(random() * 4)]! }
          : r < 0.8
            ? { ObjectType: TYPES[Math.floor(random() * 3)]! }
            : { CreationTime: at(-Math.floor(random() * 3 * 3600)) };
      store.updateRow(row.TaskId, row.ObjectPath, patch);
    }
    const answer = oracle(store.all());
    for (let i = 0; i < 300; i++) {
      const a = T0 - Math.floor(random() * 3 * 3600_000);
      const b = T0 - Math.floor(random() * 3 * 3600_000);
      const objectType = random() < 0.7 ? TYPES[Math.floor(random() * 3)] : undefined;
      const status = objectType && random() < 0.6 ? STATUSES[Math.floor(random() * 4)] : undefined;
      const domain = random() < 0.1 ? 'vod.example.cn' : undefined;
      check(
        store,
        {
          startMs: Math.min(a, b),
          endMs: Math.max(a, b),
          ...(objectType ? { objectType } : {}),
          ...(status ? { status } : {}),
          ...(domain ? { domain } : {}),
          pageNumber: 1 + Math.floor(random() * 30),
          pageSize: 1 + Math.floor(random() * 50),
        },
        answer,
      );
    }
  });
});
