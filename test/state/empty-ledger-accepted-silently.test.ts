// review finding: a 0-byte ledger file (`<STATE_FILE>.ledger.json`) beside a good head — the 0-byte object the OSS
// mount leaves when an upload fails, the very shape the lock code guards against — is read as an empty ledger, with
// no word to anyone: every delivered key, every watched URL and every followed failure is forgotten. A URL that was
// being watched (still Refreshing) and fails afterwards is never reported, and failures already told are told again
// unlabelled. Built handler, both simulators.
import { writeFileSync } from 'node:fs';
import { ledgerFile } from '../../lib/state/file-store';
import { shown, startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

async function watchedRowThenEmptyLedger() {
  world = await startWorld();
  await world.run();
  world.clock.advance(5 * MIN);
  const told = world.fail('http://video.example.com/told/once.mp4');
  const late = world.vod.store.add({ ObjectPath: 'http://video.example.com/slow/late.mp4', creationMs: world.clock.now() - MIN, Status: 'Refreshing' });
  await world.run();
  expect(world.listed()).toEqual([told]);
  for (let i = 0; i < 8; i++) {
    world.clock.advance(5 * MIN);
    await world.run();
  }
  writeFileSync(ledgerFile(world.stateFile), '');
  world.clock.advance(5 * MIN);
  world.vod.store.update(late.TaskId, { Status: 'Failed', Description: 'Origin Timeout' });
  const report = await world.run();
  for (let i = 0; i < 2; i++) {
    world.clock.advance(5 * MIN);
    await world.run();
  }
  return { told, late, report };
}

it('the late failure of a URL watched before the ledger was emptied is still reported', async () => {
  const { late } = await watchedRowThenEmptyLedger();
  expect(world.listed()).toContain(shown(late));
});

it('an emptied ledger is told to on-call (as a state it could not use), not taken for a ledger with nothing in it', async () => {
  await watchedRowThenEmptyLedger();
  expect(world.texts().filter((t) => /could not be read|could not be used|repeats are possible/i.test(t)).length).toBeGreaterThan(0);
});
