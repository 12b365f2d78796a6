import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { DEPLOY_VARIABLES, type DeployFinding, deployFindings } from '../../../lib/cli/check/deploy';
import { EXIT, main } from '../../../lib/cli/main';
import { loadAlertConfig, loadConfig, VARIABLES } from '../../../lib/config';

const ROOT = path.resolve(__dirname, '../../..');
const TOKEN = 'deploy-check-token-0123';
const DINGTALK = `https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}`;
const WECOM = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-key-0123';
const GOOD = { FC_ROLE_ARN: 'acs:ram::1234567890123456:role/vod-refresh-monitor', STATE_BUCKET: 'vod-monitor-state', DINGTALK_WEBHOOK: DINGTALK };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vrm-check-'));
  mkdirSync(path.join(dir, 'dist'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const findings = (env: Record<string, string>) => deployFindings(env, path.join(dir, 'dist'));
const failures = async (env: Record<string, string>) => (await findings(env)).filter((f) => f.outcome === 'fail');

describe('the deploy check: what `s deploy` refuses before it changes anything', () => {
  it('passes a configuration the function accepts, with a role and a bucket', async () => {
    const all = await findings(GOOD);
    expect(all.filter((f) => f.outcome !== 'ok')).toEqual([]);
    expect(all.map((f) => f.text)).toEqual([
      'the function accepts its configuration: dingtalk alerts to oapi.dingtalk.com, every 5 min, blind after 15 min',
      'FC_ROLE_ARN: role vod-refresh-monitor of account 1234567890123456',
      'STATE_BUCKET: vod-monitor-state',
    ]);
  });

  it.each<[string, Record<string, string>, RegExp, RegExp]>([
    [
      'no URL for the default channel',
      { DINGTALK_WEBHOOK: '' },
      /^DINGTALK_WEBHOOK: is required when ALERT_CHANNEL is dingtalk$/,
      /^export DINGTALK_WEBHOOK=https:\/\/oapi/,
    ],
    ['no URL for wecom', { ALERT_CHANNEL: 'wecom' }, /^WECOM_WEBHOOK: is required when ALERT_CHANNEL is wecom$/, /^export WECOM_WEBHOOK=https:\/\/qyapi/],
    [
      'no URL for webhook',
      { ALERT_CHANNEL: 'webhook' },
      /^ALERT_WEBHOOK_URL: is required when ALERT_CHANNEL is webhook$/,
      /^export ALERT_WEBHOOK_URL=<any https URL/,
    ],
    [
      'a signing secret that is not SEC…',
      { DINGTALK_SECRET: 'not-a-signing-secret' },
      /^DINGTALK_SECRET: is not a DingTalk signing secret/,
      /^export DINGTALK_SECRET=<.*SEC.*>, or unset it$/,
    ],
    ['a malformed URL', { DINGTALK_WEBHOOK: 'oapi.dingtalk.com/robot/send' }, /^DINGTALK_WEBHOOK: is not a URL/, /^export DINGTALK_WEBHOOK=/],
    [
      'a robot URL without its token',
      { DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send' },
      /^DINGTALK_WEBHOOK: has no access_token/,
      /^export DINGTALK_WEBHOOK=/,
    ],
    ['an http URL', { DINGTALK_WEBHOOK: DINGTALK.replace('https:', 'http:') }, /^DINGTALK_WEBHOOK: must be https/, /^export DINGTALK_WEBHOOK=/],
    ['a misspelt variable', { DINGTALK_KEYWORD: 'VOD' }, /^DINGTALK_KEYWORD: unknown variable; did you mean DINGTALK_KEYWORDS\?/, /^unset DINGTALK_KEYWORD /],
    [
      'an unknown cadence',
      { MONITOR_EVERY_MINUTES: '7' },
      /^MONITOR_EVERY_MINUTES: "7" is not accepted; use one of 1, 2, 3/,
      /^export MONITOR_EVERY_MINUTES=<1, 2, 3.*, or unset it for its default \(5\)$/,
    ],
    [
      'a cadence the cron would read otherwise',
      { MONITOR_EVERY_MINUTES: '05' },
      /^MONITOR_EVERY_MINUTES: "05" is written into the timer's cron as it is$/,
      /^export MONITOR_EVERY_MINUTES=5$/,
    ],
    [
      'a blind window within one run',
      { MONITOR_EVERY_MINUTES: '10', BLIND_AFTER_MINUTES: '10' },
      /^BLIND_AFTER_MINUTES: 10 is not accepted with MONITOR_EVERY_MINUTES=10/,
      /^export BLIND_AFTER_MINUTES=/,
    ],
    ['a value out of range', { STUCK_AFTER_MINUTES: '0' }, /^STUCK_AFTER_MINUTES: "0" is not accepted/, /for its default \(30\)$/],
    [
      'a role name instead of its ARN',
      { FC_ROLE_ARN: 'vod-refresh-monitor' },
      /^FC_ROLE_ARN: is not the ARN of a RAM role$/,
      /^export FC_ROLE_ARN=acs:ram::<account id>:role\/<role name>/,
    ],
    [
      'a user ARN',
      { FC_ROLE_ARN: 'acs:ram::1234567890123456:user/deployer' },
      /^FC_ROLE_ARN: is not the ARN/,
      /`npx vod-refresh-monitor setup --yes` create the role/,
    ],
    ['a bucket URL', { STATE_BUCKET: 'oss://vod-monitor-state' }, /^STATE_BUCKET: "oss:\/\/vod-monitor-state" is not an OSS bucket name$/, /the name alone/],
    ['a bucket with capitals', { STATE_BUCKET: 'VodState' }, /^STATE_BUCKET: "VodState" is not an OSS bucket name$/, /lowercase/],
    ['a bucket of 2 characters', { STATE_BUCKET: 'ab' }, /^STATE_BUCKET: "ab" is not an OSS bucket name$/, /3-63/],
    [
      'another account for the destination',
      { FC_ACCOUNT_ID: '999' },
      /^FC_ACCOUNT_ID: "999" is not the account of FC_ROLE_ARN \(1234567890123456\)/,
      /^export FC_ACCOUNT_ID=1234567890123456/,
    ],
  ])('refuses %s, with the fix', async (_, change, text, fix) => {
    const failed = await failures({ ...GOOD, ...change });
    expect(failed).toEqual([{ outcome: 'fail', text: expect.stringMatching(text), fix: expect.stringMatching(fix) }]);
  });

  it('accepts every channel with its own URL and nothing else', async () => {
    for (const env of [
      { ALERT_CHANNEL: 'dingtalk', DINGTALK_WEBHOOK: DINGTALK } as Record<string, string>,
      { ALERT_CHANNEL: 'wecom', WECOM_WEBHOOK: WECOM },
      { ALERT_CHANNEL: 'webhook', ALERT_WEBHOOK_URL: 'https://hooks.example.com/vod' },
    ])
      expect(await failures({ FC_ROLE_ARN: GOOD.FC_ROLE_ARN, STATE_BUCKET: GOOD.STATE_BUCKET, ...env })).toEqual([]);
  });

  it("reads what s.yaml passes the function: STATE_BUCKET is not one of its variables and the shell's STATE_FILE never reaches it", async () => {
    expect(await failures({ ...GOOD, STATE_FILE: 'x'.repeat(5000), FC_ACCOUNT_ID: '1234567890123456' })).toEqual([]);
  });

  it('names the variables s.yaml reads for itself: those of its ${env()} that the function does not read', () => {
    const yaml = readFileSync(path.join(ROOT, 's.yaml'), 'utf8')
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n');
    const named = new Set([...yaml.matchAll(/\$\{env\('([A-Z0-9_]+)'/g)].map((m) => m[1]!));
    expect([...named].filter((n) => !(VARIABLES as string[]).includes(n)).sort()).toEqual([...DEPLOY_VARIABLES].sort());
  });

  it('refuses exactly what the monitor or its failure handler would refuse (property)', async () => {
    const value = fc.oneof(
      fc.constantFrom('', ' ', '0', '1', '5', '15', '16', 'x', 'on', 'wecom', 'webhook', 'SECabcdefghij', DINGTALK, WECOM),
      fc.string({ maxLength: 8 }),
    );
    const names = [
      'ALERT_CHANNEL',
      'DINGTALK_WEBHOOK',
      'WECOM_WEBHOOK',
      'DINGTALK_SECRET',
      'MONITOR_EVERY_MINUTES',
      'BLIND_AFTER_MINUTES',
      'ALERT_TIMEOUT_MS',
      'VOD_DOMAINS',
      'MONITOR_EVRY_MINUTES',
    ];
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom(...names), value, { maxKeys: 5 }), async (vars) => {
        const env = { FC_ROLE_ARN: GOOD.FC_ROLE_ARN, STATE_BUCKET: GOOD.STATE_BUCKET, ...vars };
        let refused = false;
        for (const load of [loadConfig, loadAlertConfig])
          try {
            load(vars);
          } catch {
            refused = true;
          }
        const failed = (await failures(env)).filter((f) => !f.text.startsWith('MONITOR_EVERY_MINUTES: ') || !f.text.endsWith('as it is'));
        expect({ vars, refused: failed.length > 0 }).toEqual({ vars, refused });
      }),
      { numRuns: 200 },
    );
  });
});

describe('the deploy check and the alerting file', () => {
  const valid = ['receivers:', '  - name: team', '    dingtalk: { webhook: "${TEAM_WEBHOOK}" }', 'route: { receiver: team }'].join('\n');
  const file = (name: string, text: string) => {
    writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };

  it('checks a file this machine holds, with the environment it references', async () => {
    const at = file('alerting.yaml', valid);
    expect(await findings({ ...GOOD, ALERTING_CONFIG: at, TEAM_WEBHOOK: DINGTALK })).toContainEqual({
      outcome: 'ok',
      text: `ALERTING_CONFIG (${at}): 1 receiver(s), 0 route(s)`,
    });
    expect(await failures({ ...GOOD, ALERTING_CONFIG: at })).toEqual([
      {
        outcome: 'fail',
        text: `ALERTING_CONFIG (${at}): receivers.0.dingtalk.webhook: \${TEAM_WEBHOOK} is not set in the environment (nor in ALERTING_SECRETS)`,
        fix: expect.stringMatching(/^correct /),
      },
    ]);
  });

  it('reads a /code/ path in the folder s.yaml deploys', async () => {
    writeFileSync(path.join(dir, 'dist', 'alerting.yaml'), `${valid}\nroute: { receiver: nobody }\n`);
    const failed = await failures({ ...GOOD, ALERTING_CONFIG: '/code/alerting.yaml', TEAM_WEBHOOK: DINGTALK });
    expect(failed.map((f) => f.text)).toEqual([`ALERTING_CONFIG (${path.join(dir, 'dist', 'alerting.yaml')}): is not YAML: duplicated mapping key at line 5`]);
  });

  it('notes a file on the bucket, which only the function reads', async () => {
    const all: DeployFinding[] = await findings({ ...GOOD, ALERTING_CONFIG: '/mnt/vod-refresh-monitor/alerting.yaml' });
    expect(all.filter((f) => f.outcome !== 'ok')).toEqual([
      { outcome: 'note', text: expect.stringMatching(/^ALERTING_CONFIG \(\/mnt\/vod-refresh-monitor\/alerting\.yaml\) is not on this machine/) },
    ]);
  });
});

describe('vod-refresh-monitor check', () => {
  async function cli(env: Record<string, string>) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['check', '--code', path.join(dir, 'dist')], { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env, now: () => 0 });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('exits 0 and prints what it checked when the deploy may go on', async () => {
    const r = await cli(GOOD);
    expect(r).toMatchObject({ code: EXIT.ok, err: '' });
    expect(r.out).toMatch(/^deploy check passed \(no network used\):\n {2}ok {4}the function accepts/);
  });

  it('exits 2 with every problem and its fix on stderr (what s shows), never a secret', async () => {
    const r = await cli({ ...GOOD, DINGTALK_WEBHOOK: '', DINGTALK_WEBHOK: DINGTALK, DINGTALK_SECRET: 'SECshort' });
    expect(r).toMatchObject({ code: EXIT.usage, out: '' });
    expect(r.err).toMatch(/^deploy check FAILED: .*s deploy stops here, before anything is deployed\./);
    expect(r.err).toMatch(/FAIL {2}DINGTALK_WEBHOK: unknown variable; did you mean DINGTALK_WEBHOOK\?.*\n {8}fix: unset DINGTALK_WEBHOK/);
    expect(r.err).toMatch(/FAIL {2}DINGTALK_WEBHOOK: is required when ALERT_CHANNEL is dingtalk\n {8}fix: export DINGTALK_WEBHOOK=https:\/\/oapi/);
    expect(r.err).toMatch(/FAIL {2}DINGTALK_SECRET: is not a DingTalk signing secret/);
    expect(r.err).toMatch(/then run s deploy again/);
    expect(r.err).not.toContain(TOKEN);
    expect(r.err).not.toContain('SECshort');
  });
});
