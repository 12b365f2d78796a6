// `vod-refresh-monitor setup` end to end, through the CLI's main(), against RAM, STS and OSS on loopback (each checks
// its signature): the plan alone changes nothing, --yes creates and writes .env, a second run creates nothing, a key
// without permission is refused with what to do, and no secret is printed on any of these paths.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main } from '../../lib/cli/main';
import { encodings } from '../../lib/redact';
import { setupActions } from '../../lib/setup/actions';
import { type OssSim, startOssSim } from '../../sim/oss/server';
import { type RamSim, startRamSim } from '../../sim/ram/server';
import { matches, type RpcSim, type SimIdentity } from '../../sim/shared/rpc-gateway';
import { startStsSim } from '../../sim/sts/server';

const ACCOUNT = '1234567890123456';
const ADMIN: SimIdentity = { accessKeyId: 'LTAI5tSetupAdmin0001', accessKeySecret: 'setup-admin-secret-0123456789', accountId: ACCOUNT, userName: 'admin' };
const VIEWER: SimIdentity = {
  accessKeyId: 'LTAI5tSetupViewer001',
  accessKeySecret: 'setup-viewer-secret-abcdef01',
  accountId: '2222222222222222',
  userName: 'viewer',
  allow: ['ram:Get*', 'ram:List*', 'oss:GetBucketInfo'],
};
const OTHER: SimIdentity = {
  accessKeyId: 'LTAI5tOtherAccount01',
  accessKeySecret: 'other-account-secret-99',
  accountId: '9999999999999999',
  userName: 'other',
};
const BUCKET = `vod-refresh-monitor-${ACCOUNT}`;

let ram: RamSim;
let sts: RpcSim;
let oss: OssSim;
const dirs: string[] = [];

beforeAll(async () => {
  [ram, sts, oss] = await Promise.all([startRamSim([ADMIN, VIEWER, OTHER]), startStsSim([ADMIN, VIEWER, OTHER]), startOssSim([ADMIN, VIEWER, OTHER])]);
});
afterAll(async () => {
  await Promise.all([ram.close(), sts.close(), oss.close()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function project(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'vrm-setup-'));
  dirs.push(dir);
  return dir;
}

async function setup(dir: string, who: SimIdentity, args: string[] = [], more: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const env = {
    ALIBABA_CLOUD_ACCESS_KEY_ID: who.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: who.accessKeySecret,
    RAM_ENDPOINT: ram.url,
    STS_ENDPOINT: sts.url,
    OSS_ENDPOINT: oss.url,
    ...more,
  };
  const code = await main(['setup', ...args], { stdout: (l) => out.push(l), stderr: (l) => err.push(l), env, now: Date.now, cwd: dir });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const changesMade = () => [...ram.calls, ...oss.calls].filter((c) => /:(Create|Attach|Put)/.test(c.action) && c.code === 'OK');

describe('setup', () => {
  it('prints its plan, with the exact policies, and changes nothing without --yes', async () => {
    const dir = project();
    const r = await setup(dir, ADMIN);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`setup for account ${ACCOUNT} (you are acs:ram::${ACCOUNT}:user/admin)`);
    expect(r.out).toMatch(/create +RAM role vod-refresh-monitor, trusted by Function Compute/);
    expect(r.out).toMatch(/create +policy vod-refresh-monitor attached to role vod-refresh-monitor/);
    expect(r.out).toMatch(new RegExp(`create +OSS bucket ${BUCKET} in cn-shanghai, private, Standard storage`));
    expect(r.out).toContain(`.env: FC_ROLE_ARN=acs:ram::${ACCOUNT}:role/vod-refresh-monitor (new)`);
    expect(r.out).toContain('"fc.aliyuncs.com"');
    expect(r.out).toContain(`"acs:oss:*:*:${BUCKET}/vod-refresh-monitor/*"`);
    expect(r.out).toContain('Nothing was changed. Run `npx vod-refresh-monitor setup --yes` to make the 7 change(s) above.');
    expect(changesMade()).toEqual([]);
    expect(() => statSync(path.join(dir, '.env'))).toThrow();
  });

  it('with --yes creates the role, its policy, the attachment and the bucket, and writes .env; a second run creates nothing', async () => {
    const dir = project();
    writeFileSync(path.join(dir, '.env'), '# mine\nDINGTALK_WEBHOOK=https://oapi.dingtalk.com/robot/send?access_token=keep-me\nFC_ACCOUNT_ID=1\n');
    const r = await setup(dir, ADMIN, ['--yes']);
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    expect(r.out).toContain('Next: run `npx s deploy`.');
    const a = ram.account(ACCOUNT);
    expect(a.roles.get('vod-refresh-monitor')?.arn).toBe(`acs:ram::${ACCOUNT}:role/vod-refresh-monitor`);
    expect(JSON.parse(a.policies.get('vod-refresh-monitor')!.versions[0]!.document)).toEqual(
      JSON.parse(readFileSync(path.join(__dirname, '../../deploy/ram-policy.json'), 'utf8').replaceAll('YOUR_STATE_BUCKET', BUCKET)),
    );
    expect([...(a.attachments.get('vod-refresh-monitor') ?? [])]).toEqual(['vod-refresh-monitor']);
    expect(oss.buckets.get(BUCKET)).toEqual({ owner: ACCOUNT, location: 'oss-cn-shanghai', acl: 'private', storageClass: 'Standard' });
    expect(readFileSync(path.join(dir, '.env'), 'utf8')).toBe(
      `# mine\nDINGTALK_WEBHOOK=https://oapi.dingtalk.com/robot/send?access_token=keep-me\nFC_ACCOUNT_ID=${ACCOUNT}\n` +
        `FC_ROLE_ARN=acs:ram::${ACCOUNT}:role/vod-refresh-monitor\nSTATE_BUCKET=${BUCKET}\n`,
    );
    const before = changesMade().length;
    const again = await setup(dir, ADMIN, ['--yes']);
    expect(again.code).toBe(0);
    expect(again.out).toContain('Nothing to create: the role, its policies and the bucket exist as they should, and .env holds their values.');
    expect(again.out).not.toMatch(/^ {2}(create|update|write)/m);
    expect(changesMade().length).toBe(before);
  });

  it('updates a policy whose document drifted, as a new default version', async () => {
    const dir = project();
    const a = ram.account(ACCOUNT);
    a.policies.get('vod-refresh-monitor')!.versions[0]!.document = '{"Version":"1","Statement":[{"Effect":"Allow","Action":"vod:*","Resource":"*"}]}';
    const plan = await setup(dir, ADMIN);
    expect(plan.out).toMatch(/update +RAM policy vod-refresh-monitor/);
    const r = await setup(dir, ADMIN, ['--yes']);
    expect(r.code).toBe(0);
    const p = a.policies.get('vod-refresh-monitor')!;
    expect(p.defaultVersion).toBe('v2');
    expect(p.versions.find((v) => v.id === 'v2')!.document).toContain(BUCKET);
  });

  it('refuses, with exit 3 and what to do, when the key may not create the role; nothing is created', async () => {
    const before = changesMade().length;
    const r = await setup(project(), VIEWER, ['--yes']);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(
      /RAM refused CreateRole: NoPermission: .*\nfix: run setup as an administrator of the account, or attach deploy\/setup-user-policy.json/,
    );
    expect(changesMade().length).toBe(before);
  });

  it("says a bucket name of another account's is not ours to use", async () => {
    oss.buckets.set('taken-by-someone', { owner: OTHER.accountId, location: 'oss-cn-shanghai', acl: 'private', storageClass: 'Standard' });
    const r = await setup(project(), ADMIN, ['--bucket', 'taken-by-someone']);
    expect(r.code).toBe(3);
    expect(r.err).toContain('OSS refused GetBucketInfo: AccessDenied');
    expect(r.err).toContain('the bucket may belong to another account (choose a name with --bucket)');
  });

  it('blocks on a public bucket and changes nothing', async () => {
    oss.buckets.set('public-state', { owner: ACCOUNT, location: 'oss-cn-shanghai', acl: 'public-read', storageClass: 'Standard' });
    const r = await setup(project(), ADMIN, ['--yes', '--bucket', 'public-state']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/BLOCKED OSS bucket public-state[\s\S]*its ACL is public-read: make it private/);
    expect(r.out).toContain('Nothing was changed: fix the lines marked BLOCKED first.');
  });

  it.each([
    [['--bucket', 'Bad_Name'], /--bucket: "Bad_Name" is not a bucket name/],
    [['--role', 'no spaces'], /--role: use 1-64 letters/],
  ])('refuses %j before any change (exit 2)', async (args, message) => {
    const r = await setup(project(), ADMIN, args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('calls only the actions deploy/setup-user-policy.json is written for', () => {
    const declared = setupActions(ACCOUNT, 'vod-refresh-monitor', BUCKET, ['vod-refresh-monitor', 'vod-refresh-monitor-auto-refresh']).map(([a]) => a);
    const called = [...new Set([...ram.calls, ...oss.calls].map((c) => c.action))];
    for (const action of called) expect({ action, declared: declared.some((d) => matches(d, action)) }).toEqual({ action, declared: true });
  });

  it('a service it cannot reach is said so, not called a refusal, with the network to check', async () => {
    const r = await setup(project(), ADMIN, [], { STS_ENDPOINT: 'http://127.0.0.1:9' });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/STS could not be reached for GetCallerIdentity: ECONNREFUSED/);
    expect(r.err).not.toContain('refused GetCallerIdentity');
    expect(r.err).toMatch(/fix: check this machine's network/);
  });

  it('prints no secret on any of these paths, nor with a wrong secret', async () => {
    const secrets = [ADMIN.accessKeySecret, VIEWER.accessKeySecret, 'wrong-secret-for-this-key-1'];
    const runs = [
      await setup(project(), ADMIN, ['--verbose']),
      await setup(project(), VIEWER, ['--yes', '--verbose']),
      await setup(project(), { ...ADMIN, accessKeySecret: 'wrong-secret-for-this-key-1' }, ['--verbose']),
    ];
    expect(runs[2]!.code).toBe(3);
    expect(runs[2]!.err).toContain('STS refused GetCallerIdentity: SignatureDoesNotMatch');
    for (const r of runs) for (const s of secrets) for (const form of encodings(s)) expect(`${r.out}\n${r.err}`).not.toContain(form);
  });
});
