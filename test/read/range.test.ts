import { Ledger } from '../../lib/decide/ledger';
import { type RangeOptions, readRange } from '../../lib/read/range';
import { emptyState } from '../../lib/state/schema';
import { createReader } from '../../lib/vod/factory';
import type { TaskPage } from '../../lib/vod/types';
import { FakeVodApi, fakeClock, keyOf, silentLogger } from '../helpers/fakes';

const MIN = 60_000;
const opts: RangeOptions = { types: ['file', 'directory', 'preload'], listSinceMs: -Infinity, cheapMaxPages: 10, huntBatch: 3 };

function setup() {
  const clock = fakeClock();
  const api = new FakeVodApi(clock.now);
  const runtime = { now: clock.now, sleep: clock.sleep, random: () => 0, logger: silentLogger() };
  const make = () => {
    const { reader } = createReader(api, { requestsPerSecond: 100, concurrency: 3, requestTimeoutMs: 5000 }, runtime, clock.now() + 100 * MIN);
    const ledger = new Ledger(
      emptyState(clock.now()),
      { nowMs: clock.now(), listSinceMs: opts.listSinceMs, stuckAfterMs: 30 * MIN, legacyBeforeMs: null, wanted: () => true },
      runtime.logger,
    );
    return { reader, ledger };
  };
  const range = () => ({ startMs: clock.now() - 60 * MIN, endMs: Math.floor(clock.now() / 1000) * 1000 - 1000 });
  return { clock, api, make, range };
}

/** `n` completed rows spread over the last hour. */
function bulk(api: FakeVodApi, nowMs: number, n: number) {
  for (let i = 0; i < n; i++) api.add({ ObjectPath: `http://v.example.com/bulk/${i}.mp4`, createdMs: nowMs - 59 * MIN + Math.floor((i * 58 * MIN) / n) });
}

describe('readRange', () => {
  it('reads a small range whole: every row decided, one call per page', async () => {
    const w = setup();
    bulk(w.api, w.clock.now(), 120);
    const failed = w.api.add({ ObjectPath: 'http://v.example.com/f.mp4', createdMs: w.clock.now() - 2 * MIN, Status: 'Failed' });
    const { reader, ledger } = w.make();
    const out = await readRange(reader, w.range(), opts, ledger);
    expect(out).toMatchObject({ settled: true, mode: 'whole', rows: 121 });
    expect(w.api.calls).toHaveLength(3);
    expect(ledger.finish().events.map((e) => e.key)).toEqual([`failed:${keyOf(failed)}`]);
  });

  it('reads a large range by Status filter: failures and unfinished rows, never the completed bulk', async () => {
    const w = setup();
    bulk(w.api, w.clock.now(), 5000);
    const failed = [0, 1, 2].map((i) =>
      w.api.add({
        ObjectPath: `http://v.example.com/f/${i}.mp4`,
        ObjectType: i === 2 ? 'preload' : 'file',
        createdMs: w.clock.now() - (10 + i) * MIN,
        Status: 'Failed',
      }),
    );
    const refreshing = w.api.add({ ObjectPath: 'http://v.example.com/r.mp4', createdMs: w.clock.now() - 3 * MIN, Status: 'Refreshing' });
    const { reader, ledger } = w.make();
    const out = await readRange(reader, w.range(), opts, ledger);
    expect(out).toMatchObject({ settled: true, mode: 'filtered', pendingExpected: 0 });
    // page 1, Complete counts x3, Refreshing x3, Failed x3: 10 calls instead of 101 pages
    expect(w.api.calls).toHaveLength(10);
    const d = ledger.finish();
    expect(d.events.map((e) => e.key).sort()).toEqual(failed.map((f) => `failed:${keyOf(f)}`).sort());
    expect(Object.keys(d.watching)).toEqual([keyOf(refreshing)]);
  });

  it('finds Pending rows, which no filter lists, by their count, and stops reading once it has them all', async () => {
    const w = setup();
    bulk(w.api, w.clock.now(), 5000);
    const pending = [0, 1].map((i) =>
      w.api.add({ ObjectPath: `http://v.example.com/p/${i}.mp4`, createdMs: w.clock.now() - (1 + i) * MIN, Status: 'Pending' }),
    );
    const { reader, ledger } = w.make();
    const out = await readRange(reader, w.range(), opts, ledger);
    expect(out).toMatchObject({ settled: true, pendingExpected: 2, pendingFound: 2 });
    expect(w.api.calls.length).toBeLessThanOrEqual(13);
    expect(Object.keys(ledger.finish().watching).sort()).toEqual(pending.map(keyOf).sort());
  });

  it('on a first run lists the lookback failures and counts the older ones per type', async () => {
    const w = setup();
    bulk(w.api, w.clock.now(), 5000);
    const recent = w.api.add({ ObjectPath: 'http://v.example.com/new.mp4', createdMs: w.clock.now() - 5 * MIN, Status: 'Failed' });
    for (let i = 0; i < 4; i++)
      w.api.add({
        ObjectPath: `http://v.example.com/old/${i}.mp4`,
        ObjectType: i % 2 ? 'directory' : 'file',
        createdMs: w.clock.now() - 50 * MIN,
        Status: 'Failed',
      });
    const { reader } = w.make();
    const ledger = new Ledger(
      emptyState(w.clock.now()),
      { nowMs: w.clock.now(), listSinceMs: w.clock.now() - 20 * MIN, stuckAfterMs: 30 * MIN, legacyBeforeMs: null, wanted: () => true },
      silentLogger(),
    );
    await readRange(reader, w.range(), { ...opts, listSinceMs: w.clock.now() - 20 * MIN }, ledger);
    const events = ledger.finish().events;
    expect(events.filter((e) => e.kind === 'failed').map((e) => e.key)).toEqual([`failed:${keyOf(recent)}`]);
    expect(events.find((e) => e.kind === 'backlog')).toMatchObject({ count: 4, byType: { file: 2, directory: 2 } });
  });

  it('sees a row that fails between the Refreshing and the Failed listings', async () => {
    const w = setup();
    bulk(w.api, w.clock.now(), 1000);
    const row = w.api.add({ ObjectPath: 'http://v.example.com/late.mp4', createdMs: w.clock.now() - 2 * MIN, Status: 'Refreshing' });
    const inner = w.api.describeRefreshTasks.bind(w.api);
    w.api.describeRefreshTasks = async (p) => {
      const page = await inner(p);
      if (p.Status === 'Refreshing') w.api.set(row.TaskId, row.ObjectPath, { Status: 'Failed', Description: 'Origin Timeout' });
      return page;
    };
    const { reader, ledger } = w.make();
    await readRange(reader, w.range(), opts, ledger);
    const d = ledger.finish();
    expect(d.events.map((e) => e.key)).toEqual([`failed:${keyOf(row)}`]);
    expect(d.watching).toEqual({});
  });

  it('uses what it read when TotalCount lies, and reports the mismatch instead of failing', async () => {
    const w = setup();
    bulk(w.api, w.clock.now(), 130);
    const failed = w.api.add({ ObjectPath: 'http://v.example.com/f.mp4', createdMs: w.clock.now() - 2 * MIN, Status: 'Failed' });
    const inner = w.api.describeRefreshTasks.bind(w.api);
    w.api.describeRefreshTasks = async (p): Promise<TaskPage> => ({ ...(await inner(p)), totalCount: (await inner(p)).totalCount + 3 });
    const { reader, ledger } = w.make();
    const out = await readRange(reader, w.range(), opts, ledger);
    expect(out.settled).toBe(true);
    expect(reader.stats.discrepancies).toEqual([expect.objectContaining({ expected: 134, got: 131 })]);
    expect(ledger.finish().events.map((e) => e.key)).toEqual([`failed:${keyOf(failed)}`]);
  });

  it('reads past a TotalCount that is too low when the last page is full', async () => {
    const w = setup();
    bulk(w.api, w.clock.now(), 100);
    const failed = w.api.add({ ObjectPath: 'http://v.example.com/f.mp4', createdMs: w.clock.now() - 59.9 * MIN, Status: 'Failed' });
    const inner = w.api.describeRefreshTasks.bind(w.api);
    w.api.describeRefreshTasks = async (p): Promise<TaskPage> => ({ ...(await inner(p)), totalCount: 50 });
    const { reader, ledger } = w.make();
    await readRange(reader, w.range(), opts, ledger);
    expect(ledger.finish().events.map((e) => e.key)).toEqual([`failed:${keyOf(failed)}`]);
  });
});
