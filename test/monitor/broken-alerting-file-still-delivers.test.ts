import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type DingTalkSim, startDingTalkSim } from '../../sim/dingtalk/server';
import { listedRows, startWorld } from '../helpers/world';

// A broken alerting file must not silence the monitor: README promises that every alert then goes to the
// environment's robot "with a notice that says what is wrong". The notice carries every problem found, unbounded
// (lib/monitor/apply-policy.ts joins them all; lib/policy/load.ts collects one per missing ${VAR} and per unknown
// receiver), and renderMessages() throws "a single alert does not fit in the message size limit" when one alert
// exceeds DingTalk's 20,000 bytes. The throw comes after the outbox was saved, so every later run throws again on
// the same entry, even after the file is fixed: no alert is ever delivered again.

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
let robotB: DingTalkSim | undefined;
afterEach(async () => {
  await world?.close();
  await robotB?.close();
  robotB = undefined;
});

/** 120 team robots, written before their variables were added to s.yaml (a plausible first deploy of the file). */
function manyTeams(): string {
  const lines = ['receivers:'];
  for (let i = 0; i < 120; i++) {
    lines.push(`  - name: team-${i}`, '    dingtalk:', `      webhook: \${TEAM_${i}_WEBHOOK}`, `      secret: \${TEAM_${i}_SECRET}`);
  }
  lines.push('route:', '  receiver: team-0', '  routes:');
  for (let i = 1; i < 120; i++) lines.push(`    - match: { domain: ['team${i}.example.com'] }`, `      receiver: team-${i}`);
  return lines.join('\n');
}

it('a broken alerting file with many problems still lets the environment robot deliver the failures', async () => {
  world = await startWorld();
  const file = path.join(world.dir, 'alerting.yaml');
  writeFileSync(file, manyTeams());
  world.env.ALERTING_CONFIG = file;
  await world.run().catch(() => undefined);
  world.clock.advance(5 * MIN);
  const f = world.fail('http://video.example.com/a.mp4');
  const first = await world.run().then(
    () => 'ok',
    (e: Error) => `threw: ${e.message}`,
  );
  // The fix: the variables are set; the file is fine from now on.
  for (let i = 0; i < 120; i++) {
    world.env[`TEAM_${i}_WEBHOOK`] = world.ding.webhook();
    world.env[`TEAM_${i}_SECRET`] = 'SECsome-secret';
  }
  world.clock.advance(5 * MIN);
  const second = await world.run().then(
    () => 'ok',
    (e: Error) => `threw: ${e.message}`,
  );
  expect({ first, second, listed: world.listed() }).toEqual({ first: 'ok', second: 'ok', listed: [f] });
});

it("once the file is fixed, the poison entry makes every run re-send the other receivers' alerts: more than twice, without end", async () => {
  world = await startWorld();
  robotB = await startDingTalkSim({ now: world.clock.now, robots: [{ accessToken: 'team-1-token', keywords: [] }] });
  const file = path.join(world.dir, 'alerting.yaml');
  writeFileSync(file, manyTeams());
  world.env.ALERTING_CONFIG = file;
  await world.run().catch(() => undefined);
  world.clock.advance(5 * MIN);
  const f = world.fail('http://team1.example.com/a.mp4'); // routed to team-1 once the file works
  await world.run().catch(() => undefined);
  for (let i = 0; i < 120; i++) world.env[`TEAM_${i}_WEBHOOK`] = i === 1 ? robotB.webhook('team-1-token') : world.ding.webhook();
  for (let i = 0; i < 120; i++) world.env[`TEAM_${i}_SECRET`] = i === 1 ? undefined : 'SECsome-secret';
  writeFileSync(file, manyTeams().replace('      secret: ${TEAM_1_SECRET}\n', ''));
  for (let i = 0; i < 4; i++) {
    world.clock.advance(5 * MIN);
    await world.run().catch(() => undefined);
  }
  const timesToTeam1 = listedRows(
    robotB.accepted.map((m) => m.body.markdown?.text ?? ''),
    'failed',
  ).filter((r) => r === f).length;
  expect(timesToTeam1).toBeLessThanOrEqual(2);
});
