// review finding: after one run refused an alerting file, `doctor` FAILs on it with the fix "correct the file
// ALERTING_CONFIG names; `vod-refresh-monitor doctor` lists every problem" — the command is doctor itself, so the
// fix sends on-call in a circle, and it says so even when ALERTING_CONFIG is no longer set (the file was dropped):
// doctor keeps failing, exit 1, on a file nothing uses, until the next run. Doctor checks the alerting file itself
// when ALERTING_CONFIG is set; from the state it should only report what it cannot check, and never point at itself.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT } from '../../../lib/cli/main';
import { type CliWorld, startCliWorld } from '../world';

let w: CliWorld;
beforeEach(async () => {
  w = await startCliWorld();
});
afterEach(async () => {
  await w.close();
});

it('doctor, after the alerting file was removed from the configuration, neither fails on it nor points at doctor', async () => {
  const broken = path.join(w.world.dir, 'alerting.yaml');
  writeFileSync(broken, 'receivers: [\n');
  w.world.env.ALERTING_CONFIG = broken;
  await w.world.run();
  delete w.world.env.ALERTING_CONFIG;
  const r = await w.cli(['doctor', '--no-send'], { ALERTING_CONFIG: undefined });
  expect(r.out).not.toContain('`vod-refresh-monitor doctor` lists every problem');
  expect(r.code).toBe(EXIT.ok);
});
