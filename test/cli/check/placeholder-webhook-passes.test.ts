// review finding: the deploy check passes the README's own placeholder. A newcomer who pastes step 3's dotenv block
// (`DINGTALK_WEBHOOK=https://oapi.dingtalk.com/robot/send?access_token=...`) and deploys gets a monitor whose robot
// answers errcode 300001 (invalid token) forever; the watchdog uses the same robot, so nobody is ever told. The check
// needs no network to see that `...` (or `<token>`) is not a token: it must refuse it, as it refuses `SEC...`.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deployFindings } from '../../../lib/cli/check/deploy';

const GOOD = { FC_ROLE_ARN: 'acs:ram::1234567890123456:role/vod-refresh-monitor', STATE_BUCKET: 'vod-monitor-state' };
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vrm-check-'));
  mkdirSync(path.join(dir, 'dist'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.each([
  ['the README placeholder', 'https://oapi.dingtalk.com/robot/send?access_token=...'],
  ['an angle-bracket placeholder', 'https://oapi.dingtalk.com/robot/send?access_token=<token>'],
])('refuses %s as DINGTALK_WEBHOOK (it reaches nobody)', async (_name, url) => {
  const found = await deployFindings({ ...GOOD, DINGTALK_WEBHOOK: url }, path.join(dir, 'dist'));
  expect(found.filter((f) => f.outcome === 'fail').map((f) => f.text.split(':')[0])).toContain('DINGTALK_WEBHOOK');
});

it('refuses a WeCom placeholder key, and passes real-looking tokens of both', async () => {
  const wecom = { ...GOOD, ALERT_CHANNEL: 'wecom' };
  const fails = async (env: Record<string, string>) =>
    (await deployFindings(env, path.join(dir, 'dist'))).filter((f) => f.outcome === 'fail').map((f) => f.text.split(':')[0]);
  expect(await fails({ ...wecom, WECOM_WEBHOOK: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=xxxx' })).toContain('WECOM_WEBHOOK');
  expect(await fails({ ...wecom, WECOM_WEBHOOK: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa' })).not.toContain(
    'WECOM_WEBHOOK',
  );
  const token = 'a'.repeat(20) + '0123456789abcdef'.repeat(3);
  expect(await fails({ ...GOOD, DINGTALK_WEBHOOK: `https://oapi.dingtalk.com/robot/send?access_token=${token}` })).not.toContain('DINGTALK_WEBHOOK');
});
