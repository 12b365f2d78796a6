// Review: the watched set is the state's largest part. A run of the built handler with MAX_WATCHED rows watched (a
// campaign of merged 2,000-URL ids still Refreshing), under the NODE_OPTIONS s.yaml deploys, must stay under 75% of
// the monitor's memorySize in s.yaml: Function Compute stops a run that goes past it.
import { rssLimitMb } from '../../bench/deployed';
import { MAX_WATCHED } from '../../lib/decide/ledger';
import { campaignWatching, runChild } from '../helpers/big-state';
import { readState, writeState } from '../helpers/state-files';
import { startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

it(`a run with MAX_WATCHED (${MAX_WATCHED}) watched rows stays under ${rssLimitMb()} MB peak RSS with the deployed heap limits`, async () => {
  world = await startWorld();
  await world.run();
  const now = world.clock.now();
  const watching = campaignWatching(world, now);
  expect(Object.keys(watching)).toHaveLength(MAX_WATCHED);
  const state: Record<string, unknown> & { reported: Record<string, number> } = readState(world.stateFile);
  state.watching = watching;
  state.frontierMs = Math.floor((now - 5 * MIN) / 1000) * 1000;
  writeState(world.stateFile, state);
  const { report, error, peakRss } = await runChild(world, 120);
  expect(error).toBeUndefined();
  expect(report?.status).toBeDefined();
  expect(Math.round(peakRss / 1024 / 1024)).toBeLessThan(rssLimitMb());
}, 300_000);
