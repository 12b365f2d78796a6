// review finding: a heartbeat the watchdog cannot parse (torn: ossfs does not make a rename atomic, as
// docs/operations.md says; or one write that failed halfway) is taken for "no good run since the watchdog began
// watching": a tick then pages on-call "No good monitor run for 1 h … Refresh failures are not reported meanwhile",
// five minutes after a good run, and the next tick "Good monitor runs are back … after 1 h without one". Both are
// false, and they ring people. The watchdog knows when it last saw a good run (it ticks every 10 minutes): an
// unreadable heartbeat should count from that, not from when watching began.
import { writeFileSync } from 'node:fs';
import { FC_CREDENTIALS, startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

async function tick(w: World, n: number) {
  const watchdog = w.built.createWatchdog({ env: w.env, now: w.clock.now, logDestination: w.sink.stream });
  const event = Buffer.from(JSON.stringify({ triggerTime: new Date(w.clock.now()).toISOString(), triggerName: 'watchdog-timer', payload: '{}' }));
  return watchdog(event, { requestId: `tick-${n}`, credentials: FC_CREDENTIALS });
}

it('a torn heartbeat five minutes after a good run: no "No good monitor run for 1 h" page, no "back after 1 h"', async () => {
  world = await startWorld();
  for (let t = 5; t <= 60; t += 5) {
    world.clock.advance(5 * MIN);
    await world.run();
    if (t % 10 === 0) await tick(world, t);
  }
  writeFileSync(`${world.stateFile}.heartbeat.json`, '{"version":1,"lastRun":{"at');
  world.clock.advance(5 * MIN);
  await tick(world, 65);
  world.clock.advance(5 * MIN);
  await world.run();
  world.clock.advance(5 * MIN);
  await tick(world, 75);
  expect(world.texts().filter((t) => /No good monitor run for|Good monitor runs are back/.test(t))).toEqual([]);
});
