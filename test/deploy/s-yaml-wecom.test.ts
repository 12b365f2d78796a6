// Finding: ALERT_CHANNEL=wecom (or webhook) cannot be deployed with s.yaml without inventing a DingTalk URL: s.yaml
// requires ${env('DINGTALK_WEBHOOK')} (no default; an exported empty value counts as unset), and a placeholder such
// as "none" is then refused by the function ("DINGTALK_WEBHOOK: is not a URL"). README, Deploy step 9: "Three
// variables are required" and Routing: "DINGTALK_WEBHOOK stays required: the failure handler uses it" — with
// ALERT_CHANNEL=wecom the failure handler uses WECOM_WEBHOOK. s.yaml:55.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../lib/config';
import { quietSHome } from './s-home';

const ROOT = path.resolve(__dirname, '../..');

const dir = mkdtempSync(path.join(tmpdir(), 'vrm-review-s-'));
// `s` may still be writing in its HOME for a moment after it exits: retry.
afterAll(() => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }));

it('renders s.yaml for a WeCom channel without a DingTalk webhook, into a configuration the function accepts', () => {
  copyFileSync(path.join(ROOT, 's.yaml'), path.join(dir, 's.yaml'));
  const out = path.join(dir, 'rendered.json');
  const r = spawnSync(
    path.join(ROOT, 'node_modules', '.bin', 's'),
    ['preview', '-t', path.join(dir, 's.yaml'), '-o', 'json', '--output-file', out, '--silent'],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        ...quietSHome(path.join(dir, 'home')),
        FC_ROLE_ARN: 'acs:ram::1234567890123456:role/r',
        STATE_BUCKET: 'b',
        ALERT_CHANNEL: 'wecom',
        WECOM_WEBHOOK: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k',
      },
      encoding: 'utf8',
      timeout: 50_000,
    },
  );
  expect({ status: r.status, output: `${r.stdout}${r.stderr}`.includes('not found') ? 'env not found' : 'ok' }).toEqual({ status: 0, output: 'ok' });
  expect(existsSync(out)).toBe(true);
  const doc = JSON.parse(readFileSync(out, 'utf8')) as { resources: Record<string, { props: { environmentVariables: Record<string, string> } }> };
  expect(loadConfig(doc.resources['vod-refresh-monitor']!.props.environmentVariables).alert.channel).toBe('wecom');
});
