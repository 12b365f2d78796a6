// Finding: test-alert reports success while the robot refuses the monitor's other messages for a missing keyword.
// The sample alert passes only because the default failure hint contains "VOD" ("...in the VOD console..."), so
// with MONITOR_NAME without the keyword and DINGTALK_KEYWORDS unset, `doctor` fails (310000) and a real "blind"
// notice is refused, yet `test-alert` exits 0 and says the robot accepted the alert. lib/cli/commands/test-alert.ts.
import { EXIT } from '../../lib/cli/main';
import { type CliWorld, startCliWorld } from './world';

let w: CliWorld;
beforeEach(async () => {
  w = await startCliWorld();
});
afterEach(async () => {
  await w.close();
});

const env = { MONITOR_NAME: 'CDN watch', DINGTALK_KEYWORDS: undefined };

it('test-alert does not pass when the robot would refuse real alerts for the missing keyword', async () => {
  // A real run after a gap: its only message (the blind notice) has no failure hint, and is refused.
  expect((await w.cli(['run'], env)).code).toBe(EXIT.ok);
  w.world.clock.advance(40 * 60_000);
  const run = await w.cli(['run'], env);
  expect(run.out).toContain("the message lacks the robot's keyword");
  const doctor = await w.cli(['doctor'], env);
  expect(doctor.code).toBe(EXIT.problem);
  expect(doctor.out).toContain('refused the check message (310000)');

  const test = await w.cli(['test-alert'], env);
  expect(test.code).toBe(EXIT.problem);
});
