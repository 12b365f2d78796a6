// review finding: when the lock file is what fails (ENOSPC or EACCES creating `<STATE_FILE>.lock`, or a takeover
// marker `<STATE_FILE>.lock.takeover-….1`), the notices call that file the state: "cannot lock its state at
// …/state.json.lock.takeover-a977….1" and, once it works, "The monitor saves its state at …/state.json.lock again".
// The state is at STATE_FILE, and it was being saved all along; on-call reading "saves its state at <a lock> again"
// (or a marker path that no longer exists) cannot tell what was wrong or what now works.
import { faultyFs } from '../helpers/faulty-fs';
import { startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

it.each(['ENOSPC', 'EACCES'])('the lock file failing once with %s: the notices name STATE_FILE as the state, and the lock as the lock', async (errno) => {
  const disk = faultyFs([]);
  world = await startWorld({ fs: disk.fs });
  await world.run();
  disk.faults.push({ ops: ['writeFile'], where: (f) => f.endsWith('state.json.lock'), errno, times: 1 });
  for (let i = 0; i < 2; i++) {
    world.clock.advance(5 * MIN);
    await world.run();
  }
  const notices = world.texts().flatMap((t) => t.split('\n').filter((l) => l.startsWith('**Notice:**')));
  expect(notices).toHaveLength(2);
  for (const n of notices) expect(n).not.toMatch(/its state at \S*\.lock\b/);
});
