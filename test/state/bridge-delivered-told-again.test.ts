// review finding: lib/state/bridge.ts says the real state, read again, takes the keys the bridge's runs delivered "so
// nothing they told is told twice" — but withBridge filters only the bridge's outbox by the real ledger, never the
// real outbox by the bridge's. An alert that was waiting in the real state when the mount went away (the robot was
// throttled, or the run was killed after queueing it) is listed again by the first run of the outage, which began
// afresh (FIRST_RUN_LOOKBACK_MINUTES), and delivered from /tmp. When the mount comes back, the merged state still
// holds it in its outbox, beside its key in `reported`: the next run sends it a second time, and that run has no
// state problem, so its message carries no "repeats are possible" line. (deliver/enqueue never check `reported`
// for what is already in the outbox.)
import { withBridge } from '../../lib/state/bridge';
import { emptyState } from '../../lib/state/schema';
import { faultyFs } from '../helpers/faulty-fs';
import { readState } from '../helpers/state-files';
import { startWorld } from '../helpers/world';

const T0 = Date.parse('2026-12-03T10:00:00Z');
const failure = (key: string) => ({
  event: { kind: 'notice' as const, key, code: 'c', message: 'm' },
  queuedAtMs: T0,
  uncertain: 0,
  refusals: 0,
});

it('an alert the bridge delivered leaves the real outbox it was waiting in', () => {
  const waiting = 'failed:T1/aaaa';
  const real = { ...emptyState(T0), outbox: [failure(waiting)] };
  const bridge = { ...emptyState(T0), reported: { [waiting]: T0 + 3 * 86_400_000 }, begunWithoutMs: T0 + 60_000 };
  const merged = withBridge(real, bridge);
  expect(Object.hasOwn(merged.reported, waiting)).toBe(true);
  expect(merged.outbox.map((o) => o.event.key)).not.toContain(waiting);
});

// The same, end to end (built handler, both simulators): the robot is down while the alert is queued; the mount then
// fails every read for three runs (the robot back, the instance with no copy yet); then the mount is back.

const MIN = 60_000;
let world: Awaited<ReturnType<typeof startWorld>> | undefined;
afterEach(async () => {
  await world?.close();
});

it('an alert waiting when the mount went away is listed once, not once by the bridge and again after it', async () => {
  const disk = faultyFs([]);
  world = await startWorld({ fs: disk.fs });
  await world.run();
  world.clock.advance(5 * MIN);
  const waiting = world.fail('http://video.example.com/waiting.mp4');
  world.ding.down = true;
  await world.run();
  world.clock.advance(5 * MIN);
  expect(readState(world.stateFile).outbox).toHaveLength(1);
  world.ding.down = false;
  disk.faults.push({ ops: ['readFile'], where: (f) => f.endsWith('state.json'), errno: 'EIO' });
  for (let i = 0; i < 3; i++) {
    await world.run();
    world.clock.advance(5 * MIN);
  }
  disk.faults.length = 0;
  for (let i = 0; i < 2; i++) {
    await world.run();
    world.clock.advance(5 * MIN);
  }
  expect(world.listed().filter((row) => row === waiting)).toHaveLength(1);
});
