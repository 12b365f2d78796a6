import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_ROBOT } from '../../sim/dingtalk/server';
import { startWorld } from '../helpers/world';

// digest.receivers is list(v.string()) with no check for repeats (load.ts only checks each name exists), and
// buildDigests (lib/policy/digest.ts) makes one digest event per entry: a receiver named twice gets the day's
// digest twice (two events with the same key `digest:<day>:<name>` in the outbox), and its numbers read as if the
// day had been counted twice. Receivers are checked for duplicate names; digest.receivers should be too (or deduplicated).

const MIN = 60_000;
const HOUR = 60 * MIN;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

it('a receiver listed twice under digest.receivers is refused by name, never sent two digests', async () => {
  world = await startWorld();
  const soon = new Date(Date.now() + 8 * HOUR + 7 * MIN);
  const at = `${String(soon.getUTCHours()).padStart(2, '0')}:${String(soon.getUTCMinutes()).padStart(2, '0')}`;
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
      `  at: '${at}'`,
      '  receivers: [team, team]',
    ].join('\n'),
  );
  Object.assign(world.env, { ALERTING_CONFIG: file, TEAM_WEBHOOK: world.ding.webhook(), TEAM_SECRET: DEFAULT_ROBOT.secret });
  await world.run();
  for (let i = 0; i < 4; i++) {
    world.clock.advance(5 * MIN);
    await world.run();
  }
  const digests = world.texts().join('\n').split('**Daily digest**').length - 1;
  expect(digests).toBeLessThanOrEqual(1);
  expect(world.texts().join('\n')).toContain('digest.receivers.1: team is used twice');
});
