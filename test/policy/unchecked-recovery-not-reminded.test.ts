import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_ROBOT } from '../../sim/dingtalk/server';
import { startWorld } from '../helpers/world';

// README: "A URL due a reminder is first checked for a recovery, so nobody is reminded of what is fixed." The check
// is made in the read stage (remindersDue -> priorityPaths -> checkRecoveries), but the reminder itself is emitted
// by dueReminders in alertingStage whatever the read did: a run whose read failed (the API refusing every call,
// here OperationDenied.Suspended for an account in arrears) checked nothing and still sends "Still failing" —
// ringing people — about a URL that was refreshed successfully in the meantime.

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

it('no "still failing" reminder for a URL that recovered, when the run could not check it', async () => {
  world = await startWorld();
  const file = path.join(world.dir, 'alerting.yaml');
  writeFileSync(
    file,
    [
      'receivers:',
      '  - name: team',
      '    dingtalk:',
      '      webhook: ${TEAM_WEBHOOK}',
      '      secret: ${TEAM_SECRET}',
      '      keywords: [VOD]',
      "      atMobiles: ['13800000001']",
      'route:',
      '  receiver: team',
      'reminders:',
      '  every: 30m',
      '  max: 3',
    ].join('\n'),
  );
  Object.assign(world.env, { ALERTING_CONFIG: file, TEAM_WEBHOOK: world.ding.webhook(), TEAM_SECRET: DEFAULT_ROBOT.secret });
  await world.run();
  world.clock.advance(5 * MIN);
  const f = world.vod.store.add({
    ObjectPath: 'http://video.example.com/fixed.mp4',
    creationMs: world.clock.now() - MIN,
    Status: 'Failed',
    Description: 'Origin Timeout',
  });
  await world.run();
  expect(world.texts().join('\n')).toContain('1 failed');
  world.clock.advance(20 * MIN);
  // On-call refreshes it; it completes. Then the API refuses every call for a while.
  world.vod.store.add({ ObjectPath: f.ObjectPath, creationMs: world.clock.now() - MIN, Status: 'Complete' });
  world.vod.onRequest = () => {
    world.vod.faults.queue.unshift({ kind: 'error', code: 'OperationDenied.Suspended', status: 403, message: 'Your account is suspended.' });
  };
  for (let i = 0; i < 3; i++) {
    world.clock.advance(5 * MIN);
    await world.run();
  }
  expect(world.texts().join('\n')).toContain('cannot read refresh tasks');
  const reminders = world.texts().filter((t) => t.includes('Still failing'));
  expect(reminders).toEqual([]);
});
