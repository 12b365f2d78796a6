// Two receivers in an alerting file, as several tests need them: team-a on the world's own robot (signed) for
// video.example.com and the rest, team-b on a second robot host for *.example.cn.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_ROBOT, type DingTalkSim, startDingTalkSim } from '../../sim/dingtalk/server';
import { startWorld } from './world';

type World = Awaited<ReturnType<typeof startWorld>>;

/**
 * A world with the two teams' file in place and one run made. `extra`: more YAML (mutes, reminders, a digest);
 * `aMobiles`: whom team-a rings; `robotBKeywords`: the keywords team-b's robot demands (its receiver says `VOD`).
 */
export async function startTwoTeams(o: { startMs?: number; extra?: string; aMobiles?: string[]; robotBKeywords?: string[] } = {}) {
  const world: World = await startWorld(o.startMs === undefined ? {} : { startMs: o.startMs });
  const robotB: DingTalkSim = await startDingTalkSim({
    now: world.clock.now,
    robots: [{ accessToken: 'team-b-token', keywords: o.robotBKeywords ?? ['VOD'] }],
  });
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
      ...(o.aMobiles ? [`      atMobiles: [${o.aMobiles.map((m) => `'${m}'`).join(', ')}]`] : []),
      '  - name: team-b',
      '    dingtalk:',
      '      webhook: ${TEAM_B_WEBHOOK}',
      '      keywords: [VOD]',
      'route:',
      '  receiver: team-a',
      '  routes:',
      "    - match: { domain: ['*.example.cn'] }",
      '      receiver: team-b',
      o.extra ?? '',
    ].join('\n'),
  );
  Object.assign(world.env, {
    ALERTING_CONFIG: file,
    TEAM_A_WEBHOOK: world.ding.webhook(),
    TEAM_A_SECRET: DEFAULT_ROBOT.secret,
    TEAM_B_WEBHOOK: robotB.webhook('team-b-token'),
  });
  await world.run();
  return { world, robotB };
}
