// The RAM, STS and OSS simulators refuse what the real services refuse: a bad signature, an expired timestamp, a
// caller without permission, a name that already exists, a parameter out of its rules. Called through our own
// clients (pop-core for RPC, the V4-signing OSS client), so a client that signs wrongly fails here too.
import { CloudError } from '../../lib/setup/errors';
import { OssBucketApi } from '../../lib/setup/oss';
import { RAM_API, RpcApi, STS_API } from '../../lib/setup/rpc';
import { type OssSim, startOssSim } from '../../sim/oss/server';
import { type RamSim, startRamSim } from '../../sim/ram/server';
import type { RpcSim, SimIdentity } from '../../sim/shared/rpc-gateway';
import { startStsSim } from '../../sim/sts/server';
import { signRpc } from '../../sim/vod/signature';

const ME: SimIdentity = { accessKeyId: 'LTAI5tSimsTest000001', accessKeySecret: 'sims-test-secret-000001', accountId: '1111111111111111', userName: 'me' };
const STS_KEY: SimIdentity = { ...ME, accessKeyId: 'STS.sims-test-key', securityToken: 'CAIS-sims-token', userName: 'sts' };
const NOBODY: SimIdentity = { ...ME, accessKeyId: 'LTAI5tSimsNobody0001', userName: 'nobody', allow: [] };
const STRANGER: SimIdentity = {
  accessKeyId: 'LTAI5tSimsOther00001',
  accessKeySecret: 'sims-other-secret-02',
  accountId: '2222222222222222',
  userName: 'stranger',
};
const keys = [ME, STS_KEY, NOBODY, STRANGER];
const creds = (i: SimIdentity) => ({ accessKeyId: i.accessKeyId, accessKeySecret: i.accessKeySecret, securityToken: i.securityToken });
const TRUST = '{"Version":"1","Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":["fc.aliyuncs.com"]}}]}';

let ram: RamSim;
let sts: RpcSim;
let oss: OssSim;
beforeAll(async () => {
  [ram, sts, oss] = await Promise.all([startRamSim(keys), startStsSim(keys), startOssSim(keys)]);
});
afterAll(() => Promise.all([ram.close(), sts.close(), oss.close()]));

const ramOf = (i: SimIdentity) => new RpcApi({ ...RAM_API, endpoint: ram.url }, creds(i));
const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'OK';
  } catch (err) {
    return err instanceof CloudError ? err.code : String(err);
  }
};

describe('the RPC gateway of the RAM and STS simulators', () => {
  it('answers GetCallerIdentity for any key, STS keys with their token', async () => {
    const r = await new RpcApi({ ...STS_API, endpoint: sts.url }, creds(STS_KEY)).call('GetCallerIdentity');
    expect(r).toMatchObject({ AccountId: ME.accountId, Arn: `acs:ram::${ME.accountId}:user/sts`, IdentityType: 'RAMUser' });
    expect(await codeOf(new RpcApi({ ...STS_API, endpoint: sts.url }, { ...creds(STS_KEY), securityToken: 'CAIS-other' }).call('GetCallerIdentity'))).toBe(
      'InvalidSecurityToken.MismatchWithAccessKey',
    );
  });

  it.each<[string, Record<string, string>, string, string]>([
    ['a wrong secret', {}, 'not-the-secret', 'SignatureDoesNotMatch'],
    ['an old timestamp', { Timestamp: '2020-01-01T00:00:00Z' }, ME.accessKeySecret, 'InvalidTimeStamp.Expired'],
    ['another version', { Version: '2014-01-01' }, ME.accessKeySecret, 'InvalidVersion'],
    ['an unknown key', { AccessKeyId: 'LTAI-nobody-knows' }, ME.accessKeySecret, 'InvalidAccessKeyId.NotFound'],
  ])('refuses %s', async (_name, changes, secret, code) => {
    const params: Record<string, string> = {
      Action: 'GetCallerIdentity',
      Format: 'JSON',
      Version: '2015-04-01',
      AccessKeyId: ME.accessKeyId,
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      SignatureNonce: `${Math.random()}`,
      Timestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      ...changes,
    };
    const res = await fetch(`${sts.url}/?${new URLSearchParams({ ...params, Signature: signRpc('GET', params, secret) })}`);
    expect((await res.json()) as { Code: string }).toMatchObject({ Code: code });
  });
});

describe('the RAM simulator', () => {
  it('creates a role once: EntityAlreadyExists.Role the second time, whatever the case of its name', async () => {
    const api = ramOf(ME);
    expect(await codeOf(api.call('GetRole', { RoleName: 'sim-role' }))).toBe('EntityNotExist.Role');
    const r = await api.call('CreateRole', { RoleName: 'Sim-Role', AssumeRolePolicyDocument: TRUST });
    expect(r.Role).toMatchObject({ RoleName: 'Sim-Role', Arn: `acs:ram::${ME.accountId}:role/sim-role` });
    expect(await codeOf(api.call('CreateRole', { RoleName: 'sim-role', AssumeRolePolicyDocument: TRUST }))).toBe('EntityAlreadyExists.Role');
  });

  it.each([
    [{ RoleName: 'x'.repeat(65), AssumeRolePolicyDocument: TRUST }, 'InvalidParameter.RoleName.Length'],
    [{ RoleName: 'a b', AssumeRolePolicyDocument: TRUST }, 'InvalidParameter.RoleName.InvalidChars'],
    [{ RoleName: 'ok' }, 'MissingParameter'],
    [{ RoleName: 'ok', AssumeRolePolicyDocument: '{"Statement":' }, 'MalformedPolicyDocument'],
  ])('refuses CreateRole %j', async (params, code) => {
    expect(await codeOf(ramOf(ME).call('CreateRole', params))).toBe(code);
  });

  it('keeps at most five policy versions, rotating the oldest non-default only when asked', async () => {
    const api = ramOf(ME);
    const doc = (n: number) => JSON.stringify({ Version: '1', Statement: [{ Effect: 'Allow', Action: `vod:Describe${n}`, Resource: '*' }] });
    await api.call('CreatePolicy', { PolicyName: 'sim-policy', PolicyDocument: doc(0) });
    expect(await codeOf(api.call('CreatePolicy', { PolicyName: 'sim-policy', PolicyDocument: doc(0) }))).toBe('EntityAlreadyExists.Policy');
    for (let i = 1; i < 5; i++) await api.call('CreatePolicyVersion', { PolicyName: 'sim-policy', PolicyDocument: doc(i) });
    expect(await codeOf(api.call('CreatePolicyVersion', { PolicyName: 'sim-policy', PolicyDocument: doc(5) }))).toBe('LimitExceeded.Policy.Version');
    await api.call('CreatePolicyVersion', {
      PolicyName: 'sim-policy',
      PolicyDocument: doc(5),
      SetAsDefault: 'true',
      RotateStrategy: 'DeleteOldestNonDefaultVersionWhenLimitExceeded',
    });
    const p = ram.account(ME.accountId).policies.get('sim-policy')!;
    expect(p.versions.map((v) => v.id)).toEqual(['v1', 'v3', 'v4', 'v5', 'v6']);
    expect(p.defaultVersion).toBe('v6');
    expect(await codeOf(api.call('GetPolicyVersion', { PolicyName: 'sim-policy', PolicyType: 'Custom', VersionId: 'v2' }))).toBe(
      'EntityNotExist.Policy.Version',
    );
  });

  it('attaches a policy once, and only an existing one to an existing role', async () => {
    const api = ramOf(ME);
    const attach = (PolicyName: string, RoleName: string) => api.call('AttachPolicyToRole', { PolicyType: 'Custom', PolicyName, RoleName });
    expect(await codeOf(attach('no-such-policy', 'sim-role'))).toBe('EntityNotExist.Policy');
    expect(await codeOf(attach('sim-policy', 'no-such-role'))).toBe('EntityNotExist.Role');
    await attach('sim-policy', 'sim-role');
    expect(await codeOf(attach('sim-policy', 'sim-role'))).toBe('EntityAlreadyExists.Role.Policy');
  });

  it('refuses a caller whose policies do not allow the action (NoPermission), and records it', async () => {
    expect(await codeOf(ramOf(NOBODY).call('GetRole', { RoleName: 'sim-role' }))).toBe('NoPermission');
    expect(ram.calls.at(-1)).toMatchObject({ action: 'ram:GetRole', caller: 'nobody', code: 'NoPermission' });
    expect(JSON.stringify(ram.calls)).not.toContain(ME.accessKeySecret);
  });
});

describe('the OSS simulator', () => {
  it('creates a private Standard bucket, reads it back, and refuses the same name again', async () => {
    const api = new OssBucketApi(creds(STS_KEY), 'cn-shanghai', oss.url);
    expect(await api.getBucketInfo('sim-bucket-1')).toBeNull();
    await api.putBucket('sim-bucket-1');
    expect(await api.getBucketInfo('sim-bucket-1')).toEqual({ name: 'sim-bucket-1', location: 'oss-cn-shanghai', storageClass: 'Standard', acl: 'private' });
    expect(await codeOf(api.putBucket('sim-bucket-1'))).toBe('BucketAlreadyExists');
  });

  it.each<[string, SimIdentity, string, string, string]>([
    ['a wrong secret', { ...ME, accessKeySecret: 'wrong' }, 'cn-shanghai', 'sim-bucket-1', 'SignatureDoesNotMatch'],
    ['a region the endpoint is not in', ME, 'cn-hangzhou', 'sim-bucket-1', 'InvalidArgument'],
    ['an invalid bucket name', ME, 'cn-shanghai', 'Bad_Bucket', 'InvalidBucketName'],
    ['a caller without oss:GetBucketInfo', NOBODY, 'cn-shanghai', 'sim-bucket-1', 'AccessDenied'],
    ["another account's bucket", STRANGER, 'cn-shanghai', 'sim-bucket-1', 'AccessDenied'],
  ])('refuses %s', async (_name, who, region, bucket, code) => {
    oss.buckets.set('sim-bucket-1', { owner: ME.accountId, location: 'oss-cn-shanghai', acl: 'private', storageClass: 'Standard' });
    expect(await codeOf(new OssBucketApi(creds(who), region, oss.url).getBucketInfo(bucket))).toBe(code);
  });
});
