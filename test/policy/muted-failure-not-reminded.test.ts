import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_ROBOT } from '../../sim/dingtalk/server';
import { startWorld } from '../helpers/world';

// README: muted failures are "recorded as told (they are not reported again later)"; reminders are for "a failed URL
// on-call was told of" (remind.ts: "Only failures on-call was told of"). applyMutes records a muted failure's key in
// `reported` so it is not alerted again — and dueReminders takes `reported[failed:<key>]` to mean "on-call was
// told", so once the window is over every URL that failed under the mute comes back, one by one, as "Still failing
// ... reminder 1 of N", ringing the configured mobiles, about failures nobody was ever shown (the mute existed
// because they were expected: an origin migration).

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

it('a failure held back by a mute is not reminded after the window as if on-call had been told of it', async () => {
  world = await startWorld();
  const until = new Date(Date.now() + 20 * MIN).toISOString();
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
      '  every: 1h',
      '  max: 2',
      'mutes:',
      '  - name: origin-migration',
      "    match: { domain: ['video.example.com'] }",
      `    until: '${until}'`,
      '    reason: origin migration',
    ].join('\n'),
  );
  Object.assign(world.env, { ALERTING_CONFIG: file, TEAM_WEBHOOK: world.ding.webhook(), TEAM_SECRET: DEFAULT_ROBOT.secret });
  await world.run();
  world.clock.advance(5 * MIN);
  for (let i = 0; i < 5; i++) world.fail(`http://video.example.com/migrated/${i}.mp4`);
  for (let i = 0; i < 30; i++) {
    await world.run();
    world.clock.advance(5 * MIN);
  }
  const texts = world.texts();
  expect(texts.some((t) => t.includes('Muted by origin-migration') && t.includes('5 alert(s) held back'))).toBe(true);
  const reminders = texts.filter((t) => t.includes('Still failing'));
  expect(reminders).toEqual([]);
});
