import fc from 'fast-check';
import { MAX_WATCH_WINDOWS, watchWindows } from '../../lib/read/watched';
import { readState } from '../helpers/state-files';
import { shown, startWorld } from '../helpers/world';

const MIN = 60_000;

describe('watchWindows', () => {
  it('covers every instant with at most MAX_WATCH_WINDOWS disjoint windows of whole seconds, in order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1_700_000_000_000, max: 1_700_300_000_000 }), { minLength: 1, maxLength: 300 }), (instants) => {
        const w = watchWindows(instants);
        expect(w.length).toBeLessThanOrEqual(MAX_WATCH_WINDOWS);
        for (const t of instants) expect(w.some((x) => x.startMs <= t && t <= x.endMs)).toBe(true);
        for (let i = 0; i < w.length; i++) {
          expect(w[i]!.startMs % 1000).toBe(0);
          expect(w[i]!.endMs % 1000).toBe(0);
          if (i > 0) expect(w[i]!.startMs).toBeGreaterThan(w[i - 1]!.endMs);
        }
      }),
    );
  });

  it('keeps the largest gaps: two batches a day apart are two narrow windows, not a day-wide one', () => {
    const t = Date.parse('2026-12-01T10:00:00Z');
    expect(watchWindows([t, t + 200, t + 86_400_000, t + 86_400_500])).toEqual([
      { startMs: t - 1000, endMs: t + 1000 },
      { startMs: t + 86_400_000 - 1000, endMs: t + 86_400_000 + 1000 },
    ]);
  });
});

describe('watched rows cost what they change (through the handler, on the VOD simulator)', () => {
  type World = Awaited<ReturnType<typeof startWorld>>;
  let world: World;
  afterEach(async () => {
    await world?.close();
  });

  /** The DescribeVodRefreshTasks calls of the last run, by kind. */
  function callsOfLastRun(w: World, from: number) {
    const log = w.vod.stats.log.slice(from).filter((p) => p.Action === 'DescribeVodRefreshTasks');
    return {
      all: log.length,
      byTaskId: log.filter((p) => p.TaskId !== undefined).length,
      failedListings: log.filter((p) => p.Status === 'Failed').length,
      recoveryChecks: log.filter((p) => p.ObjectPath !== undefined && p.Status === 'Complete').length,
    };
  }

  it('5 merged ids of 2,000 URLs still Refreshing: a few calls a run; crossing the stuck threshold costs one paged lookup per id; a late failure is reported by the next run', async () => {
    world = await startWorld();
    await world.run();
    world.clock.advance(MIN);
    const t0 = world.clock.now();
    const ids: string[] = [];
    for (let k = 0; k < 5; k++) {
      const urls = Array.from({ length: 2000 }, (_, i) => `http://video.example.com/c${k}/seg-${i}.ts`);
      const { taskIds } = world.vod.store.submit({ urls, kind: 'file', atMs: t0 + k * 1000 });
      ids.push(...taskIds);
    }
    expect(ids).toHaveLength(5);
    // Another row created among them: their window holds more than the watched rows, so paging it costs more than the lookups.
    world.vod.store.add({ ObjectPath: 'http://video.example.com/other/poster.jpg', creationMs: t0 + 2500, Status: 'Complete' });
    const perRun: Array<ReturnType<typeof callsOfLastRun>> = [];
    let stuckReported = 0;
    const tick = async () => {
      world.clock.advance(5 * MIN);
      const from = world.vod.stats.log.length;
      const r = await world.run();
      perRun.push(callsOfLastRun(world, from));
      stuckReported += r.stuck as number;
      return r;
    };
    await tick(); // reads the 10,000 new rows: all watched
    await tick(); // reads them again in its overlap (the 5 minutes before its frontier), as every run does
    const state = () =>
      readState(world.stateFile) as {
        watching: Record<string, { stuckAtMs: number | null }>;
        reported: Record<string, number>;
      };
    expect(Object.keys(state().watching)).toHaveLength(10_000);
    // Quiet runs while they refresh: no lookups, a listing of failures per window, and the watched rows unchanged
    // (so the ledger file is not rewritten).
    const watchedBefore = JSON.stringify(state().watching);
    await tick();
    await tick();
    expect(JSON.stringify(state().watching)).toBe(watchedBefore);
    // One URL fails late.
    const late = world.vod.store.rowsOf(ids[2]!).find((r) => r.ObjectPath.endsWith('/seg-77.ts'))!;
    world.vod.store.schedule(late.TaskId, late.ObjectPath, world.clock.now() + 1000, { Status: 'Failed', Description: 'Origin Timeout' });
    await tick();
    expect(world.listed()).toEqual([shown(late)]);
    for (const r of perRun.slice(2)) expect(r.byTaskId).toBe(0);
    for (const r of perRun.slice(2)) expect(r.all).toBeLessThanOrEqual(5);
    // The rest cross the 30-minute threshold: each id looked up once (40 pages of 50), every URL reported stuck once.
    while (world.clock.now() - t0 < 31 * MIN) await tick();
    await tick();
    const crossingRuns = perRun.filter((r) => r.byTaskId > 0);
    expect(crossingRuns.reduce((a, r) => a + r.byTaskId, 0)).toBeLessThanOrEqual(5 * 40);
    // About 1 call per 50 URLs crossing, over what a quiet run costs: no window probed that could not cost less.
    for (const r of crossingRuns) expect(r.all - r.byTaskId - r.recoveryChecks).toBeLessThanOrEqual(Math.max(...perRun.slice(2, 4).map((q) => q.all)));
    expect(stuckReported).toBe(9_999);
    expect(Object.keys(state().reported).filter((k) => k.startsWith('stuck:'))).toHaveLength(9_999);
    // Told stuck, they are not looked up again; a stuck URL that fails is still reported by the next run.
    const before = perRun.length;
    const stuckLate = world.vod.store.rowsOf(ids[4]!).find((r) => r.ObjectPath.endsWith('/seg-5.ts'))!;
    world.vod.store.schedule(stuckLate.TaskId, stuckLate.ObjectPath, world.clock.now() + 1000, { Status: 'Failed', Description: 'Internal Error' });
    await tick();
    await tick();
    expect(world.listed()).toContain(shown(stuckLate));
    for (const r of perRun.slice(before)) expect(r.byTaskId).toBe(0);
    for (const r of perRun.slice(before)) expect(r.all).toBeLessThanOrEqual(5);
  }, 60_000);
});
