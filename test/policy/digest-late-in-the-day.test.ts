import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_ROBOT } from '../../sim/dingtalk/server';
import { startWorld } from '../helpers/world';

// A daily digest whose time falls between two timer ticks late in the evening (the timer fires every 5 minutes, at
// :00, :05, ... :55 Asia/Shanghai). digestDue() asks "is it past HH:MM *today* and not sent today": the 23:55 run is
// before 23:58, and the 00:00 run is a new day that is before 23:58 again. The digest, which README calls the
// heartbeat ("No digest means the monitor is down"), is never sent.

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

/** Moves the world's clock to the next `hh:mm` Asia/Shanghai (UTC+8), to the second. */
function advanceToShanghai(w: World, hh: number, mm: number) {
  const now = w.clock.now();
  const local = now + 8 * HOUR;
  let target = Math.floor(local / DAY) * DAY + hh * HOUR + mm * MIN;
  if (target <= local) target += DAY;
  w.clock.advance(target - 8 * HOUR - now);
}

it('a digest at 23:58 is sent once a day when the timer fires every five minutes', async () => {
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
      'route:',
      '  receiver: team',
      'digest:',
      "  at: '23:58'",
    ].join('\n'),
  );
  Object.assign(world.env, { ALERTING_CONFIG: file, TEAM_WEBHOOK: world.ding.webhook(), TEAM_SECRET: DEFAULT_ROBOT.secret });
  advanceToShanghai(world, 23, 30);
  // Two nights, one run every five minutes from 23:30 to 00:30, as the CRON_TZ=Asia/Shanghai timer does; a run at
  // noon in between (no run between 00:30 and 23:30 could send it: they are all before 23:58).
  for (let night = 0; night < 2; night++) {
    for (let i = 0; i <= 12; i++) {
      await world.run();
      world.clock.advance(5 * MIN);
    }
    advanceToShanghai(world, 12, 0);
    await world.run();
    advanceToShanghai(world, 23, 30);
  }
  const digests = world.texts().filter((t) => t.includes('Daily digest'));
  expect(digests.length).toBeGreaterThanOrEqual(1);
});
