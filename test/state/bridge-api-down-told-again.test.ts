// review finding: withBridge (lib/state/bridge.ts) takes from the copy its delivered keys, outbox, runs and outage,
// but not the monitor's health (`health`, lib/decide/health.ts). When the VOD API goes down during an outage of the
// mount, the runs bridging it from /tmp tell "The monitor cannot read refresh tasks since T1". When the mount is back
// while the API is still down, the real state still believes the API is up: the first run tells "cannot read
// refresh tasks" a second time (its key is keyed by a new `since`, so the merged `reported` does not hold it), with a
// false start (the time of that run, not T1); and the "reads again" notice later says "it could not since" that
// false time. A repeat docs/operations.md does not admit, and false text twice. withBridge should take the bridge's
// health when it is the later of the two (and the same for lastOkMs, see bridge-outage-called-blind.test.ts).
import { faultyFs } from '../helpers/faulty-fs';
import { FC_CREDENTIALS, startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

async function runs(n: number) {
  for (let i = 0; i < n; i++) {
    await world.run().catch(() => undefined);
    world.clock.advance(5 * MIN);
  }
}

it('the API going down during an outage of the mount is told once, with when it began', async () => {
  const disk = faultyFs([]);
  world = await startWorld({ fs: disk.fs });
  await runs(1);
  disk.faults.push({ ops: ['readFile'], where: (f) => f.endsWith('state.json'), errno: 'EIO' });
  await runs(1);
  const account = world.vod.accounts.find((a) => a.accessKeyId === FC_CREDENTIALS.accessKeyId)!;
  account.state = 'suspended';
  await runs(4);
  disk.faults.length = 0;
  await runs(3);
  account.state = 'ok';
  await runs(2);
  const down = world.texts().filter((t) => /The monitor cannot read refresh tasks/.test(t));
  expect(down).toHaveLength(1);
  const since = /cannot read refresh tasks\*\* since ([^:]+:\d\d:\d\d)/.exec(down[0]!)![1]!;
  const back = world.texts().filter((t) => /reads refresh tasks again/.test(t));
  expect(back).toHaveLength(1);
  expect(back[0]).toContain(`it could not since ${since}`);
});
