// What a run leaves on the mount: a quiet run rewrites the small head of the state, never its ledger part (told keys,
// watched and followed URLs), which at the caps is megabytes; and what it decided survives the run (one recovery
// per URL per outage, whatever runs read the rows again).
import { faultyFs } from '../helpers/faulty-fs';
import { shown, startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

it('a quiet run, with failures followed for recoveries and URLs watched, writes the head alone', async () => {
  const spy = faultyFs();
  world = await startWorld({ fs: spy.fs });
  await world.run();
  world.clock.advance(5 * MIN);
  for (let i = 0; i < 30; i++) world.fail(`http://video.example.com/q/${i}.mp4`, 60_000 + i * 1000);
  world.vod.store.add({ ObjectPath: 'http://video.example.com/q/hanging.mp4', creationMs: world.clock.now() - 20_000, Status: 'Refreshing' });
  await world.run();
  const ledgerWrites = () => spy.calls.filter((c) => c.op === 'rename' && c.file.includes('.ledger.json')).length;
  // Two more runs let the new rows leave the overlap; then quiet runs.
  for (let i = 0; i < 2; i++) {
    world.clock.advance(5 * MIN);
    await world.run();
  }
  const before = ledgerWrites();
  for (let i = 0; i < 3; i++) {
    world.clock.advance(5 * MIN);
    expect(await world.run()).toMatchObject({ status: 'ok', alerts: { messagesSent: 0 } });
  }
  expect(ledgerWrites() - before).toBe(0);
  expect(spy.calls.filter((c) => c.op === 'rename' && c.file.endsWith('state.json.tmp') === false && /state\.json\.\d+\./.test(c.file)).length).toBeGreaterThan(
    0,
  );
});

it('a URL that failed under two task ids and then completed is recovered once, across every later run', async () => {
  world = await startWorld();
  await world.run();
  world.clock.advance(5 * MIN);
  const url = 'http://video.example.com/twice.mp4';
  world.fail(url, 4 * MIN, 'Origin Timeout', '700000101');
  world.fail(url, 2 * MIN, 'Internal Error', '700000102');
  await world.run();
  world.clock.advance(MIN);
  const ok = world.vod.store.add({ ObjectPath: url, creationMs: world.clock.now() - 30_000, Status: 'Complete' });
  for (let i = 0; i < 4; i++) {
    world.clock.advance(i === 0 ? 4 * MIN : 5 * MIN);
    await world.run();
  }
  expect(world.listed('recovered')).toEqual([shown(ok)]);
});
