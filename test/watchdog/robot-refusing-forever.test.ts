// review finding: a robot that refuses everything (errcode 310000: the signing secret rotated; 300001: the robot was
// removed from the group) silences the monitor and the watchdog together — the watchdog speaks through the same robot —
// and nothing else notices: every monitor run and every watchdog tick returns normally, so Function Compute records no
// error, its failure destination is never called, and no platform alarm (CloudMonitor on the functions' Errors) can
// fire. docs/operations.md admits that "the log and status are what is left": nobody reads those unprompted. Issue 20:
// "every way the monitor can stop watching reaches a human". A tick that could not deliver an outage notice should at
// least fail its invocation (so an alarm on the watchdog's errors, documented in the deploy, pages someone), or use a
// second channel. Built bundle, both simulators.
import { FC_CREDENTIALS, startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

it('an hour of a robot refusing every message: some invocation tells Function Compute that nobody could be told', async () => {
  world = await startWorld();
  await world.run();
  world.env.DINGTALK_SECRET = 'SECthis-is-not-the-robots-secret-any-more-0000000000';
  const outcomes: string[] = [];
  for (let t = 5; t <= 60; t += 5) {
    world.clock.advance(5 * MIN);
    world.fail(`http://video.example.com/unheard/${t}.mp4`);
    outcomes.push(
      await world.run().then(
        () => 'monitor returned',
        () => 'monitor threw',
      ),
    );
    if (t % 10 === 0) {
      const watchdog = world.built.createWatchdog({ env: world.env, now: world.clock.now, logDestination: world.sink.stream });
      const tick = Buffer.from(JSON.stringify({ triggerTime: new Date(world.clock.now()).toISOString(), triggerName: 'watchdog-timer', payload: '{}' }));
      outcomes.push(
        await watchdog(tick, { requestId: `tick-${t}`, credentials: FC_CREDENTIALS }).then(
          () => 'watchdog returned',
          () => 'watchdog threw',
        ),
      );
    }
  }
  expect(world.ding.accepted.length).toBe(0);
  expect(outcomes.filter((o) => o.endsWith('threw')).length).toBeGreaterThan(0);
});
