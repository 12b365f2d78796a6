// Review: a merged batch of 2,000 URLs that stays Refreshing past the overlap and then completes is reported as
// "stuck" URL by URL, though no URL was unfinished for more than STUCK_AFTER_MINUTES.

import { readState } from '../helpers/state-files';
import { startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

it('a 2,000-URL batch that completes after 16 minutes is not reported stuck (and every watched row is settled)', async () => {
  world = await startWorld();
  await world.run();
  world.clock.advance(60_000);
  const t0 = world.clock.now();
  const urls = Array.from({ length: 2000 }, (_, i) => `http://video.example.com/show/ep-${i}.ts`);
  // One CMS call: one TaskId, every URL Refreshing, all complete 16 minutes later.
  const { taskIds } = world.vod.store.submit({ urls, kind: 'file', atMs: t0, fate: () => ({ afterMs: 16 * MIN, Status: 'Complete' }) });
  expect(taskIds).toHaveLength(1);
  const reports: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 10; i++) {
    world.clock.advance(5 * MIN);
    reports.push(await world.run());
  }
  const stuck = world.listed('stuck');
  const state = readState(world.stateFile) as { watching: Record<string, unknown> };
  // Every URL completed at minute 16: none may be said to be stuck for more than 30 minutes.
  expect({ stuckListed: stuck.length, stuckAlerts: reports.reduce((a, r) => a + (r.stuck as number), 0) }).toEqual({ stuckListed: 0, stuckAlerts: 0 });
  expect(Object.keys(state.watching)).toHaveLength(0);
}, 120_000);
