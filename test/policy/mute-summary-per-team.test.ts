import type { DingTalkSim } from '../../sim/dingtalk/server';
import { startTwoTeams } from '../helpers/two-teams';
import { NOON_IN_SHANGHAI_MS, type startWorld } from '../helpers/world';

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
  const until = new Date(NOON_IN_SHANGHAI_MS + 22 * MIN).toISOString();
  const extra = ['mutes:', '  - name: origin-maintenance', "    match: { description: ['Origin Timeout'] }", `    until: '${until}'`].join('\n');
  ({ world, robotB } = await startTwoTeams({ startMs: NOON_IN_SHANGHAI_MS, extra }));
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
