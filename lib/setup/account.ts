import type { Desired } from './desired';
import { CloudError } from './errors';
import type { BucketApi } from './oss';
import type { Change, Observed } from './plan';

/** The RPC calls `setup` makes: one method, as RpcApi has it. */
export interface RpcCaller {
  call(action: string, params?: Record<string, string>): Promise<Record<string, unknown>>;
}

/** The APIs `setup` reads and changes. */
export interface SetupApis {
  readonly ram: RpcCaller;
  readonly sts: RpcCaller;
  readonly oss: BucketApi;
}

/** Who the keys belong to. */
export interface Caller {
  readonly accountId: string;
  readonly arn: string;
}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** The caller's account id from STS GetCallerIdentity: it is never asked for. */
export async function whoAmI(sts: RpcCaller): Promise<Caller> {
  const r = await sts.call('GetCallerIdentity');
  const accountId = str(r.AccountId);
  if (!/^\d{5,20}$/.test(accountId)) throw new CloudError('STS', 'GetCallerIdentity', 'MalformedResponse', 'the answer has no AccountId');
  return { accountId, arn: str(r.Arn) };
}

/** `fn`'s answer, or null when it failed with `missing` (the resource does not exist). */
async function unlessMissing<T>(missing: string, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof CloudError && err.code === missing) return null;
    throw err;
  }
}

async function policyDocument(ram: RpcCaller, name: string): Promise<string | null> {
  const p = await unlessMissing('EntityNotExist.Policy', () => ram.call('GetPolicy', { PolicyName: name, PolicyType: 'Custom' }));
  if (!p) return null;
  const version = str(obj(p.Policy).DefaultVersion);
  const v = await ram.call('GetPolicyVersion', { PolicyName: name, PolicyType: 'Custom', VersionId: version });
  return str(obj(v.PolicyVersion).PolicyDocument);
}

/** Reads the role, its policies and attachments, and the bucket. */
export async function observe(apis: SetupApis, d: Desired): Promise<Observed> {
  const role = await unlessMissing('EntityNotExist.Role', () => apis.ram.call('GetRole', { RoleName: d.roleName }));
  const policies: Record<string, string | null> = {};
  for (const p of d.policies) policies[p.name] = await policyDocument(apis.ram, p.name);
  let attached: string[] = [];
  if (role) {
    const r = await apis.ram.call('ListPoliciesForRole', { RoleName: d.roleName });
    attached =
      (obj(r.Policies).Policy as unknown[] | undefined)
        ?.map(obj)
        .filter((p) => p.PolicyType === 'Custom')
        .map((p) => str(p.PolicyName)) ?? [];
  }
  const bucket = await apis.oss.getBucketInfo(d.bucket);
  const r = obj(role?.Role);
  return { role: role ? { arn: str(r.Arn), trust: str(r.AssumeRolePolicyDocument) } : null, policies, attached, bucket };
}

/** Whether a create failed only because another run made the same thing first. */
const already = (err: unknown, code: string) => err instanceof CloudError && err.code === code;

/** Makes one change; an "already exists" answer (a concurrent run) counts as done. */
export async function applyChange(apis: SetupApis, d: Desired, c: Change): Promise<void> {
  const doc = (name: string) => d.policies.find((p) => p.name === name)!.document;
  try {
    if (c.api === 'CreateRole')
      await apis.ram.call('CreateRole', {
        RoleName: d.roleName,
        AssumeRolePolicyDocument: d.trust,
        Description: 'vod-refresh-monitor functions (created by setup)',
      });
    else if (c.api === 'CreatePolicy')
      await apis.ram.call('CreatePolicy', { PolicyName: c.policy, PolicyDocument: doc(c.policy), Description: 'vod-refresh-monitor (created by setup)' });
    else if (c.api === 'CreatePolicyVersion')
      await apis.ram.call('CreatePolicyVersion', {
        PolicyName: c.policy,
        PolicyDocument: doc(c.policy),
        SetAsDefault: 'true',
        RotateStrategy: 'DeleteOldestNonDefaultVersionWhenLimitExceeded',
      });
    else if (c.api === 'AttachPolicyToRole') await apis.ram.call('AttachPolicyToRole', { PolicyType: 'Custom', PolicyName: c.policy, RoleName: d.roleName });
    else await apis.oss.putBucket(d.bucket);
  } catch (err) {
    if (already(err, 'EntityAlreadyExists.Role') || already(err, 'EntityAlreadyExists.Role.Policy')) return;
    if (c.api === 'CreatePolicy' && already(err, 'EntityAlreadyExists.Policy')) return applyChange(apis, d, { api: 'CreatePolicyVersion', policy: c.policy });
    throw err;
  }
}

/** The role's ARN as RAM names it (`acs:ram::<account>:role/<name>`). */
export async function roleArn(ram: RpcCaller, d: Desired): Promise<string> {
  const r = await ram.call('GetRole', { RoleName: d.roleName });
  return str(obj(r.Role).Arn) || `acs:ram::${d.accountId}:role/${d.roleName.toLowerCase()}`;
}
