// review finding: a lock path that exists but cannot be read as a file — a dangling symlink at `<STATE_FILE>.lock`
// (ossfs emulates symlinks; an operator's `ln -s`) — wedges the monitor: the exclusive create says EEXIST, the read
// says ENOENT, FileLock.acquire takes it for "released meanwhile" three times and returns a holder with nothing in
// it, so every run is `skipped` ("another run holds the state lock"), health ok, forever, and the run itself never
// says so (no acquiredAtMs, so never "held for longer than a run can take"). Only the watchdog speaks, 15-25 minutes
// later, and says "the lock … is free now", which is not so. Issue 20: every leftover shape is recovered by a later
// run within one lock lifetime.
import { symlinkSync } from 'node:fs';
import { startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

it('a dangling symlink where the lock file goes: a later run takes over, or says so itself', async () => {
  world = await startWorld();
  await world.run();
  symlinkSync('/nonexistent/left-by-someone', `${world.stateFile}.lock`);
  const failed: string[] = [];
  const statuses: unknown[] = [];
  for (let i = 0; i < 4; i++) {
    world.clock.advance(5 * MIN);
    failed.push(world.fail(`http://video.example.com/behind-a-symlink/${i}.mp4`));
    statuses.push((await world.run()).status);
  }
  const reported = world.listed().length === failed.length;
  const saidByTheRun = world.texts().some((t) => t.includes('state.json.lock'));
  expect({ reported, saidByTheRun }).not.toEqual({ reported: false, saidByTheRun: false });
  expect(statuses.at(-1)).not.toBe('skipped');
});
