// review finding: one failed read of STATE_FILE (an EIO blip of the OSS mount, a GetObject that failed once) on a
// cold instance makes the run start as a first run — and then save that first-run state over the good state on the
// mount, although the read error was the mount's, not the file's. Everything the good state held is gone for good
// after the blip has passed: alerts still waiting in its outbox (the robot was down) are not delivered as alerts —
// those older than the first-run hour become one "earlier failures ... counted, not listed" line — and what was
// already told within the hour is told again. A run that could not read the state must not replace it (keep the
// copy in /tmp, and leave the file it could not read as it was).
import { faultyFs } from '../helpers/faulty-fs';
import { readState } from '../helpers/state-files';
import { startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

it('an alert waiting for a robot that was down is still delivered, listed, after one failed read of the state', async () => {
  const disk = faultyFs([]);
  world = await startWorld({ fs: disk.fs });
  await world.run();
  world.clock.advance(5 * MIN);
  const waiting = world.fail('http://video.example.com/while-robot-down.mp4');
  world.ding.down = true;
  for (let i = 0; i < 15; i++) {
    await world.run();
    world.clock.advance(5 * MIN);
  }
  expect(readState(world.stateFile).outbox.length).toBeGreaterThan(0);
  // The mount blinks once, on a cold instance; the robot is back.
  disk.faults.push({ ops: ['readFile'], where: (f) => f.endsWith('state.json'), errno: 'EIO', times: 1 });
  world.ding.down = false;
  for (let i = 0; i < 3; i++) {
    await world.run();
    world.clock.advance(5 * MIN);
  }
  expect(world.listed()).toContain(waiting);
});
