// A refusal of the alerting file recorded by the last local run is a note in doctor's state section, never a fail:
// doctor checks the file ALERTING_CONFIG names itself, and that check says how the file stands now.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT } from '../../../lib/cli/main';
import { DEFAULT_ROBOT } from '../../../sim/dingtalk/server';
import { type CliWorld, startCliWorld } from '../world';

let w: CliWorld;
beforeEach(async () => {
  w = await startCliWorld();
});
afterEach(async () => {
  await w.close();
});

const GOOD = ['receivers:', '  - name: team', '    dingtalk:', '      webhook: ${TEAM_WEBHOOK}', '      secret: ${TEAM_SECRET}', '      keywords: [VOD]'];

it('once the refused file is fixed, doctor passes on it and only notes what the last run met', async () => {
  const file = path.join(w.world.dir, 'alerting.yaml');
  const env = { ALERTING_CONFIG: file, TEAM_WEBHOOK: w.world.ding.webhook(), TEAM_SECRET: DEFAULT_ROBOT.secret ?? '' };
  Object.assign(w.world.env, env);
  writeFileSync(file, 'receivers: [\n');
  await w.world.run();
  writeFileSync(file, [...GOOD, 'route:', '  receiver: team'].join('\n'));
  const r = await w.cli(['doctor', '--no-send'], env);
  expect(r.out).toMatch(/note {2}the last run refused the alerting file \(refused since .*\(the check of the alerting file above says how it stands now\)/);
  expect(r.out).not.toMatch(/FAIL .*alerting file/);
  expect(r.code).toBe(EXIT.ok);
});
