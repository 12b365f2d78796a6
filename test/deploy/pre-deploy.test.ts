// `s deploy` with the real Serverless Devs CLI, offline. s.yaml's `actions: pre-deploy` runs the project's deploy
// check before any resource is deployed. `s` loads each resource's component before the global actions run, and
// would download fc3 from its registry: the temporary HOME holds a stand-in fc3 in s's component cache
// (~/.s/components/devsapp.cn/v3/fc3 with its .s.lock), which only records that a deploy reached it, and starts no
// update check (quietSHome). The access is a dummy key in Serverless Devs' environment access (AccessKeyID,
// AccessKeySecret, AccountID: no STS call). Nothing else is in the environment, and the copy of s.yaml sits in a
// fresh folder, so a developer's .env cannot leak in.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { quietSHome } from './s-home';

const ROOT = path.resolve(__dirname, '../..');
const S_CLI = path.join(ROOT, 'node_modules', '.bin', 's');
const TOKEN = 'pre-deploy-token-0123';
const GOOD = {
  FC_ROLE_ARN: 'acs:ram::1234567890123456:role/vod-refresh-monitor',
  STATE_BUCKET: 'vod-monitor-state',
  DINGTALK_WEBHOOK: `https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}`,
};

const scratch: string[] = [];
afterAll(() => {
  // `s` may still be writing its log in HOME for a moment after it exits: retry, never fail on cleanup.
  for (const dir of scratch) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    } catch {
      // a temporary folder left behind is not a test failure
    }
  }
});

/** A folder with s.yaml, the CLI it runs (bin/ links to this clone's, which loads build/cli.js) and a HOME with the stand-in fc3. */
function project(): { dir: string; home: string; deployed: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'vrm-s-deploy-'));
  scratch.push(dir);
  copyFileSync(path.join(ROOT, 's.yaml'), path.join(dir, 's.yaml'));
  symlinkSync(path.join(ROOT, 'bin'), path.join(dir, 'bin'), 'dir');
  mkdirSync(path.join(dir, 'dist'));
  const home = path.join(dir, 'home');
  const component = path.join(home, '.s', 'components', 'devsapp.cn', 'v3', 'fc3');
  mkdirSync(component, { recursive: true });
  const deployed = path.join(dir, 'deployed.log');
  writeFileSync(path.join(component, '.s.lock'), JSON.stringify({ version: '0.0.0-offline', lastUpdateCheck: 8_640_000_000_000_000 }));
  writeFileSync(path.join(component, 'package.json'), JSON.stringify({ name: 'fc3', main: 'index.js' }));
  writeFileSync(
    path.join(component, 'index.js'),
    `module.exports = class Fc3StandIn {
  async deploy(inputs) {
    require('fs').appendFileSync(${JSON.stringify(deployed)}, inputs.resource.name + '\\n');
    return { deployed: inputs.resource.name };
  }
};\n`,
  );
  return { dir, home, deployed };
}

function deploy(vars: Record<string, string>) {
  const p = project();
  const r = spawnSync(S_CLI, ['deploy', '-t', path.join(p.dir, 's.yaml'), '-y'], {
    cwd: p.dir,
    env: {
      PATH: process.env.PATH ?? '',
      ...quietSHome(p.home),
      AccessKeyID: 'LTAI5tOfflineDummy',
      AccessKeySecret: 'offline-dummy-secret',
      AccountID: '1234567890123456',
      ...vars,
    },
    encoding: 'utf8',
    timeout: 50_000,
  });
  const deployed = existsSync(p.deployed) ? readFileSync(p.deployed, 'utf8').split('\n').filter(Boolean) : [];
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`, deployed };
}

describe('s deploy runs the deploy check first (real Serverless Devs CLI, offline)', () => {
  it('stops at the pre-deploy step with our message and its fixes, before any resource is deployed', () => {
    // the variables s.yaml requires are there, so it renders; what the function needs is not
    const r = deploy({
      FC_ROLE_ARN: GOOD.FC_ROLE_ARN,
      STATE_BUCKET: 'Vod_State',
      DINGTALK_WEBHOK: GOOD.DINGTALK_WEBHOOK,
      DINGTALK_SECRET: 'not-a-signing-secret',
    });
    expect(r.deployed).toEqual([]);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain('Global pre-action failed to [deploy]');
    expect(r.output).toContain('deploy check FAILED');
    expect(r.output).toContain('s deploy stops here, before anything is deployed');
    expect(r.output).toMatch(/FAIL {2}DINGTALK_WEBHOOK: is required when ALERT_CHANNEL is dingtalk\n {8}fix: export DINGTALK_WEBHOOK=/);
    expect(r.output).toMatch(/FAIL {2}DINGTALK_WEBHOK: unknown variable; did you mean DINGTALK_WEBHOOK\?/);
    expect(r.output).toMatch(/FAIL {2}DINGTALK_SECRET: is not a DingTalk signing secret/);
    expect(r.output).toMatch(/FAIL {2}STATE_BUCKET: "Vod_State" is not an OSS bucket name/);
    expect(r.output).not.toContain(TOKEN);
    expect(r.output).not.toContain('not-a-signing-secret');
  });

  it('goes on to deploy both functions, watchdog first, when the check passes', () => {
    const r = deploy({ ...GOOD, ALERT_CHANNEL: 'wecom', DINGTALK_WEBHOOK: '', WECOM_WEBHOOK: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k0123' });
    expect({ status: r.status, deployed: r.deployed }).toEqual({ status: 0, deployed: ['vod-refresh-monitor-watchdog', 'vod-refresh-monitor'] });
    expect(r.output).toContain('deploy check passed');
  });
});
