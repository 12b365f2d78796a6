// Finding: the CLI's redactor learns the whole (wrong) webhook value as a secret, so the error that should say what
// is accepted prints "use the robot webhook, ***?access_token=***" (WeCom: "***?key=***"). The value has no token
// to hide. lib/redact.ts:62-69 (envSecrets adds the whole URL), used by lib/cli/main.ts:97.
import { EXIT } from '../../lib/cli/main';
import { type CliWorld, startCliWorld } from './world';

let w: CliWorld;
beforeEach(async () => {
  w = await startCliWorld();
});
afterEach(async () => {
  await w.close();
});

it('says which webhook form is accepted when DINGTALK_WEBHOOK has no access_token', async () => {
  const r = await w.cli(['run', '--dry-run'], { DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send' });
  expect(r.code).toBe(EXIT.usage);
  expect(r.err).toContain('DINGTALK_WEBHOOK: has no access_token');
  expect(r.err).toContain('https://oapi.dingtalk.com/robot/send?access_token=');
});

it('says which webhook form is accepted when WECOM_WEBHOOK has no key', async () => {
  const r = await w.cli(['run', '--dry-run'], { ALERT_CHANNEL: 'wecom', WECOM_WEBHOOK: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' });
  expect(r.code).toBe(EXIT.usage);
  expect(r.err).toContain('https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=');
});
