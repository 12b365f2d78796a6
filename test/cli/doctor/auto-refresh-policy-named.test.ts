// Finding: with AUTO_REFRESH=on, doctor says the refresh and preload actions come from deploy/ram-policy.json, which
// grants only vod:DescribeVodRefreshTasks; they are in deploy/ram-policy-auto-refresh.json (README, "Automatic
// re-submission"). lib/cli/doctor/vod.ts:100 and :106.
import { readFileSync } from 'node:fs';
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

it('doctor points AUTO_REFRESH users at the policy that grants the refresh and preload actions', async () => {
  const base = readFileSync(path.resolve(__dirname, '../../../deploy/ram-policy.json'), 'utf8');
  expect(base).not.toContain('vod:RefreshVodObjectCaches');
  const r = await w.cli(['doctor', '--no-send'], { AUTO_REFRESH: 'on' });
  expect(r.code).toBe(EXIT.ok);
  expect(r.out).toContain('automatic re-submission (AUTO_REFRESH=on)');
  expect(r.out).toMatch(/vod:PreloadVodObjectCaches \(deploy\/ram-policy-auto-refresh\.json\)/);
});
