// Retention through the built handler: the keys an outage piles up are let go, and a failure is still told once.
// (The pure rules are test/decide/retention.test.ts; this file loads dist/, so mutation testing leaves it out.)
import { MAX_REPORTED_KEPT } from '../../lib/decide/retention';
import { KEY_TTL_MS } from '../../lib/events/keys';
import type { MonitorState } from '../../lib/state/schema';
import { readState, writeState } from '../helpers/state-files';
import { startWorld } from '../helpers/world';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('through the handler', () => {
  type World = Awaited<ReturnType<typeof startWorld>>;
  let world: World;
  afterEach(async () => {
    await world?.close();
  });

  it("after an outage's keys were let go, a recovered failure is not reported again by a read widened for an old watched row", async () => {
    world = await startWorld();
    await world.run();
    world.clock.advance(5 * MIN);
    // A failure, reported; a URL created in the same minute that hangs in Pending (watched for days).
    const failed = world.fail('http://video.example.com/old/failed.mp4', 30_000);
    world.vod.store.add({ ObjectPath: 'http://video.example.com/old/pending.mp4', creationMs: world.clock.now() - 29_000, Status: 'Pending' });
    await world.run();
    expect(world.listed()).toEqual([failed]);
    // The URL is refreshed successfully: its failure is no longer followed.
    world.clock.advance(5 * MIN);
    world.vod.store.add({ ObjectPath: 'http://video.example.com/old/failed.mp4', creationMs: world.clock.now() - 10_000, Status: 'Complete' });
    await world.run();
    // A day and a half of quiet runs later (the clock jumps; the monitor reads the gap), an outage's keys fill the state.
    world.clock.advance(30 * HOUR);
    await world.run();
    world.clock.advance(5 * MIN);
    await world.run();
    const state = readState(world.stateFile) as MonitorState;
    for (let i = 0; i < MAX_REPORTED_KEPT + 1000; i++) state.reported[`failed:8${i}/outage`] = world.clock.now() - 40 * HOUR + KEY_TTL_MS;
    writeState(world.stateFile, state);
    for (let i = 0; i < 4; i++) {
      world.clock.advance(5 * MIN);
      await world.run();
    }
    const after = readState(world.stateFile) as MonitorState;
    expect(Object.keys(after.reported).length).toBeLessThan(1000);
    expect(after.reportedFloorMs).not.toBeNull();
    expect(world.listed()).toEqual([failed]);
  }, 60_000);
});
