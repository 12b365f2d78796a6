// Review: the monitor was sized for the watched set alone, while the delivered keys (`reported`) and the latest
// failure per URL (`failedPaths`) grew with every failure of 3 days: 50,000 failures with the watch set at its cap
// died with "JavaScript heap out of memory" on every run until they aged out, blind just when on-call needs it.
// Now the failed URLs followed are capped (MAX_FAILED_PATHS), the delivered keys of rows no read meets again are let
// go past MAX_REPORTED_KEPT, and the heap may use 150 MB of the 256: a state as large as the monitor lets it be,
// and more, loads and runs under the deployed flags.
import { createHash } from 'node:crypto';
import { rssLimitMb } from '../../bench/deployed';
import { MAX_FAILED_PATHS, MAX_WATCHED } from '../../lib/decide/ledger';
import { MAX_REPORTED_KEPT } from '../../lib/decide/retention';
import { rowKey } from '../../lib/identity';
import { campaignWatching, runChild } from '../helpers/big-state';
import { readState, writeState } from '../helpers/state-files';
import { startWorld } from '../helpers/world';

const MIN = 60_000;
const FAILURES = 100_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

it(`a run with ${MAX_WATCHED} rows watched and ${FAILURES} failures of the last 3 days in its state ends under the deployed heap flags`, async () => {
  world = await startWorld();
  await world.run();
  const now = world.clock.now();
  const watching = campaignWatching(world, now);
  const state: Record<string, unknown> & { reported: Record<string, number> } = readState(world.stateFile);
  // FAILURES failures spread over the last 3 days, each reported once; the newest remembered per URL.
  const failedPaths: Record<string, unknown> = {};
  const reported: Record<string, number> = { ...state.reported };
  for (let i = 0; i < FAILURES; i++) {
    const createdAtMs = now - 71 * 60 * MIN + i * Math.floor((70 * 60 * MIN) / FAILURES);
    const taskId = String(10_000_000_000 + i);
    const objectPath = `http://video.example.com/vod/2026/11/${createHash('sha1').update(String(i)).digest('hex')}/index-1080p.m3u8`;
    const key = rowKey(taskId, objectPath);
    // The ledger follows the newest MAX_FAILED_PATHS failed URLs for recoveries and reminders; the keys stay.
    if (i >= FAILURES - MAX_FAILED_PATHS)
      failedPaths[objectPath] = { key, taskId, objectType: 'file', createdAtMs, description: 'Origin Timeout', checkedToMs: now - 6 * MIN };
    reported[`failed:${key}`] = createdAtMs + 73 * 60 * MIN;
  }
  state.watching = watching;
  state.failedPaths = failedPaths;
  state.reported = reported;
  state.frontierMs = Math.floor((now - 5 * MIN) / 1000) * 1000;
  writeState(world.stateFile, state);
  const { report, error, peakRss, died } = await runChild(world, 120);
  expect({ died, error }).toEqual({ died: undefined, error: undefined });
  expect(report?.status).toBeDefined();
  expect(Math.round(peakRss / 1024 / 1024)).toBeLessThan(rssLimitMb());
  // The run let go the keys no later read can meet: the next one loads a state bounded by MAX_REPORTED_KEPT.
  const after = readState(world.stateFile) as { reported: Record<string, number> };
  expect(Object.keys(after.reported).length).toBeLessThanOrEqual(MAX_REPORTED_KEPT);
}, 300_000);
