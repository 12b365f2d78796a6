// Finding: a receiver's URL from the alerting file is not validated like the same URL in the environment. A WeCom
// webhook without key=, plain http to a remote host, or text that is not a URL pass validation (doctor prints "ok")
// and only fail when an alert is sent. lib/policy/load.ts:78-107 (resolve) checks only DingTalk's access_token.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../lib/config';
import { loadAlerting } from '../../lib/policy/load';

const config = loadConfig({ DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=abc' });

const dir = mkdtempSync(path.join(tmpdir(), 'vrm-review-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fileFor(kind: 'wecom' | 'webhook'): string {
  const field = kind === 'wecom' ? 'webhook' : 'url';
  const file = path.join(dir, `${kind}.yaml`);
  writeFileSync(file, ['receivers:', '  - name: r', `    ${kind}:`, `      ${field}: \${R_URL}`, 'route:', '  receiver: r', ''].join('\n'));
  return file;
}

describe('alerting file receivers are validated like the environment variables', () => {
  it.each([
    ['wecom', 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send', 'WECOM_WEBHOOK'],
    ['webhook', 'http://hooks.example.com/alert', 'ALERT_WEBHOOK_URL'],
    ['webhook', 'not a url', 'ALERT_WEBHOOK_URL'],
  ] as const)('a %s receiver at %s is refused (as %s would be)', async (kind, url, variable) => {
    // The environment refuses this value...
    expect(() =>
      loadConfig({
        ALERT_CHANNEL: kind === 'wecom' ? 'wecom' : 'webhook',
        DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=abc',
        [variable]: url,
      }),
    ).toThrow(ConfigError);
    // ...so the alerting file should too, naming the field.
    await expect(loadAlerting(fileFor(kind), config, { R_URL: url })).rejects.toThrow(ConfigError);
  });
});
