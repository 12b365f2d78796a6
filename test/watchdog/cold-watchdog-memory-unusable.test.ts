// review finding: when the watchdog cannot keep its memory beside the state (watchdog.json unusable: here a folder
// stands there; likewise an unwritable or failing mount), it keeps it in the instance's /tmp only. A watchdog that
// ticks every 10 minutes mostly starts cold, so that copy is gone at the next tick: an outage is then told on every
// tick (a page every 10 minutes, never flagged as a repeat), and a monitor that never ran is never told at all
// (the window is counted from "when watching began", which is always now); the failure destination, likewise,
// tells the same cause on every failed run. The realistic trigger is a full or read-only mount, where the heartbeat
// cannot be written either: then every tick pages "no run at all" although the runs speak. Built bundle, both simulators.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FC_CREDENTIALS, startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
const forgetCopies = () => {
  for (const f of readdirSync(tmpdir())) if (f.startsWith('vod-refresh-monitor-watchdog-')) rmSync(path.join(tmpdir(), f), { force: true });
};
afterEach(async () => {
  await world?.close();
  forgetCopies();
});

const OUTAGE = /No good monitor run for/;

/** A watchdog tick on a fresh instance: its /tmp copy of the memory is gone. */
async function coldTick(w: World, n: number) {
  forgetCopies();
  const watchdog = w.built.createWatchdog({ env: w.env, now: w.clock.now, logDestination: w.sink.stream });
  const event = Buffer.from(JSON.stringify({ triggerTime: new Date(w.clock.now()).toISOString(), triggerName: 'watchdog-timer', payload: '{}' }));
  return watchdog(event, { requestId: `tick-${n}`, credentials: FC_CREDENTIALS });
}

it('an outage (the timer stopped after good runs) is told once, not on every cold tick', async () => {
  world = await startWorld();
  await world.run();
  mkdirSync(path.join(world.dir, 'watchdog.json'));
  for (let i = 1; i <= 9; i++) {
    world.clock.advance(10 * MIN);
    await coldTick(world, i);
  }
  expect(world.texts().filter((t) => OUTAGE.test(t))).toHaveLength(1);
});

it('a monitor that never ran is told within the window, even when every tick starts cold', async () => {
  world = await startWorld();
  mkdirSync(path.join(world.dir, 'watchdog.json'));
  for (let i = 1; i <= 9; i++) {
    world.clock.advance(10 * MIN);
    await coldTick(world, i);
  }
  expect(world.texts().filter((t) => OUTAGE.test(t)).length).toBeGreaterThanOrEqual(1);
});

it('the same failed-run cause from the failure destination is told once, not on every cold invocation', async () => {
  world = await startWorld();
  await world.run();
  mkdirSync(path.join(world.dir, 'watchdog.json'));
  for (let i = 1; i <= 6; i++) {
    world.clock.advance(5 * MIN);
    forgetCopies();
    const watchdog = world.built.createWatchdog({ env: world.env, now: world.clock.now, logDestination: world.sink.stream });
    const failure = {
      timestamp: world.clock.now(),
      requestContext: { requestId: `run-${i}`, condition: 'FunctionTimeout', approximateInvokeCount: 2 },
      responseContext: { functionError: 'Unhandled' },
      responsePayload: JSON.stringify({ errorMessage: 'Function timed out after 120 seconds (maxMemoryUsage: 81.23MB)' }),
    };
    await watchdog(Buffer.from(JSON.stringify(failure)), { requestId: `dest-${i}`, credentials: FC_CREDENTIALS });
  }
  expect(world.texts().filter((t) => /timed out/.test(t))).toHaveLength(1);
});
