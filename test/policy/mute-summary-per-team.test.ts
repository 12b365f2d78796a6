import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_ROBOT, type DingTalkSim, startDingTalkSim } from '../../sim/dingtalk/server';
import { NOON_IN_SHANGHAI_MS, startWorld } from '../helpers/world';

// A mute that matches alerts of several receivers (README's own example: `sunday-maintenance` matches
// description 'Origin Timeout' on every domain, while routes send video.example.com to one robot and *.example.cn
// to another) holds them in ONE state entry per mute, whose receiver is the route of the first alert it held
// (lib/policy/mute.ts, `receiver: routeOf(e, plan)` only when the entry is created). When the window ends the
// one summary goes there: the other team's held failures are summed up to a group that does not own them, and the
// team that owns them never hears of them — not at once, not after the window.

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
let robotB: DingTalkSim;
afterEach(async () => {
  await world?.close();
  await robotB?.close();
});

it("a mute spanning two teams' domains sums up each team's held failures to that team", async () => {
  world = await startWorld({ startMs: NOON_IN_SHANGHAI_MS });
  robotB = await startDingTalkSim({ now: world.clock.now, robots: [{ accessToken: 'team-b-token', keywords: ['VOD'] }] });
  const until = new Date(NOON_IN_SHANGHAI_MS + 22 * MIN).toISOString();
  const file = path.join(world.dir, 'alerting.yaml');
  writeFileSync(
    file,
    [
      'receivers:',
      '  - name: team-a',
      '    dingtalk:',
      '      webhook: ${TEAM_A_WEBHOOK}',
      '      secret: ${TEAM_A_SECRET}',
      '      keywords: [VOD]',
      '  - name: team-b',
      '    dingtalk:',
      '      webhook: ${TEAM_B_WEBHOOK}',
      '      keywords: [VOD]',
      'route:',
      '  receiver: team-a',
      '  routes:',
      "    - match: { domain: ['*.example.cn'] }",
      '      receiver: team-b',
      'mutes:',
      '  - name: origin-maintenance',
      "    match: { description: ['Origin Timeout'] }",
      `    until: '${until}'`,
    ].join('\n'),
  );
  Object.assign(world.env, {
    ALERTING_CONFIG: file,
    TEAM_A_WEBHOOK: world.ding.webhook(),
    TEAM_A_SECRET: DEFAULT_ROBOT.secret,
    TEAM_B_WEBHOOK: robotB.webhook('team-b-token'),
  });
  await world.run();
  world.clock.advance(5 * MIN);
  world.fail('http://video.example.com/a.mp4'); // team A's
  await world.run();
  for (let i = 0; i < 3; i++) {
    world.clock.advance(5 * MIN);
    world.fail(`http://img.example.cn/b${i}.mp4`); // team B's
    await world.run();
  }
  for (let i = 0; i < 3; i++) {
    world.clock.advance(5 * MIN);
    await world.run();
  }
  const a = world.texts().filter((t) => t.includes('Muted by'));
  const b = robotB.accepted.map((m) => m.body.markdown?.text ?? '').filter((t) => t.includes('Muted by'));
  expect({
    teamAHearsOfTeamB: a.some((t) => t.includes('img.example.cn')),
    teamBSummary: b.some((t) => t.includes('img.example.cn 3')),
  }).toEqual({ teamAHearsOfTeamB: false, teamBSummary: true });
});
