// RAM (version 2015-05-01) on loopback: roles, custom policies with versions, and their attachments, with the
// parameter rules and error codes the RAM API reference documents for the calls `setup` makes.
import { missing, RpcError, type RpcSim, type SimIdentity, startRpcSim } from '../shared/rpc-gateway';

interface Role {
  name: string;
  arn: string;
  trust: string;
  description: string;
  created: string;
}
interface Policy {
  name: string;
  description: string;
  versions: Array<{ id: string; document: string; created: string }>;
  defaultVersion: string;
  nextVersion: number;
}

/** One account's RAM entities; tests read and seed them. */
export interface RamAccount {
  readonly roles: Map<string, Role>;
  readonly policies: Map<string, Policy>;
  /** Role name (lower-case) to the custom policy names attached. */
  readonly attachments: Map<string, Set<string>>;
}

/** A running RAM simulator. */
export interface RamSim extends RpcSim {
  account(accountId: string): RamAccount;
}

const MAX_VERSIONS = 5;
const MAX_DOCUMENT = 6144;

function need(params: Record<string, string>, name: string): string {
  const v = params[name];
  if (v === undefined || v === '') throw missing(name);
  return v;
}

function roleName(params: Record<string, string>): string {
  const name = need(params, 'RoleName');
  if (name.length > 64) throw new RpcError('InvalidParameter.RoleName.Length', 400, 'The parameter RoleName is beyond the length limit of 64.');
  if (!/^[A-Za-z0-9.-]+$/.test(name)) throw new RpcError('InvalidParameter.RoleName.InvalidChars', 400, 'The parameter RoleName contains invalid chars.');
  return name;
}

function policyName(params: Record<string, string>): string {
  const name = need(params, 'PolicyName');
  if (name.length > 128 || !/^[A-Za-z0-9-]+$/.test(name))
    throw new RpcError('InvalidParameter.PolicyName.InvalidChars', 400, 'The parameter PolicyName is invalid.');
  return name;
}

/** A policy document RAM accepts: JSON, Version "1", statements with an Effect and an Action. */
function checkedDocument(text: string, name: string): string {
  if (Buffer.byteLength(text) > MAX_DOCUMENT)
    throw new RpcError(`InvalidParameter.${name}.Length`, 400, `The parameter ${name} is beyond the length limit of ${MAX_DOCUMENT}.`);
  let doc: { Version?: unknown; Statement?: unknown };
  try {
    doc = JSON.parse(text);
  } catch {
    throw new RpcError('MalformedPolicyDocument', 400, 'The policy document is malformed: it is not JSON.');
  }
  const ok =
    doc.Version === '1' &&
    Array.isArray(doc.Statement) &&
    doc.Statement.length > 0 &&
    doc.Statement.every((s: { Effect?: unknown; Action?: unknown }) => (s.Effect === 'Allow' || s.Effect === 'Deny') && s.Action !== undefined);
  if (!ok) throw new RpcError('MalformedPolicyDocument', 400, 'The policy document is malformed.');
  return text;
}

function customType(params: Record<string, string>): void {
  const t = need(params, 'PolicyType');
  if (t !== 'Custom' && t !== 'System') throw new RpcError('InvalidParameter.PolicyType.InvalidValue', 400, 'The parameter PolicyType is invalid.');
  if (t === 'System') throw new RpcError('EntityNotExist.Policy', 404, `The policy not exists: ${params.PolicyName}.`);
}

const roleView = (r: Role) => ({
  RoleId: `3${r.arn.length}${r.name.length}00000000`,
  RoleName: r.name,
  Arn: r.arn,
  Description: r.description,
  AssumeRolePolicyDocument: r.trust,
  MaxSessionDuration: 3600,
  CreateDate: r.created,
  UpdateDate: r.created,
});

function getRole(a: RamAccount, params: Record<string, string>): Role {
  const name = roleName(params);
  const role = a.roles.get(name.toLowerCase());
  if (!role) throw new RpcError('EntityNotExist.Role', 404, `The role not exists: ${name}.`);
  return role;
}

function getPolicy(a: RamAccount, params: Record<string, string>): Policy {
  const name = policyName(params);
  const p = a.policies.get(name);
  if (!p) throw new RpcError('EntityNotExist.Policy', 404, `The policy not exists: ${name}.`);
  return p;
}

type Handler = (a: RamAccount, p: Record<string, string>, accountId: string, now: string) => Record<string, unknown>;

const HANDLERS: Record<string, Handler> = {
  GetRole: (a, p) => ({ Role: roleView(getRole(a, p)) }),
  CreateRole(a, p, accountId, now) {
    const name = roleName(p);
    const trust = checkedDocument(need(p, 'AssumeRolePolicyDocument'), 'AssumeRolePolicyDocument');
    if (a.roles.has(name.toLowerCase())) throw new RpcError('EntityAlreadyExists.Role', 409, `The role already exists: ${name}.`);
    const role = { name, arn: `acs:ram::${accountId}:role/${name.toLowerCase()}`, trust, description: p.Description ?? '', created: now };
    a.roles.set(name.toLowerCase(), role);
    return { Role: roleView(role) };
  },
  GetPolicy(a, p) {
    customType(p);
    const pol = getPolicy(a, p);
    const v = pol.versions.find((x) => x.id === pol.defaultVersion)!;
    return {
      Policy: { PolicyName: pol.name, PolicyType: 'Custom', Description: pol.description, DefaultVersion: pol.defaultVersion, AttachmentCount: 0 },
      DefaultPolicyVersion: { VersionId: v.id, IsDefaultVersion: true, PolicyDocument: v.document, CreateDate: v.created },
    };
  },
  GetPolicyVersion(a, p) {
    customType(p);
    const pol = getPolicy(a, p);
    const id = need(p, 'VersionId');
    const v = pol.versions.find((x) => x.id === id);
    if (!v) throw new RpcError('EntityNotExist.Policy.Version', 404, `The policy version not exists: ${id}.`);
    return { PolicyVersion: { VersionId: v.id, IsDefaultVersion: v.id === pol.defaultVersion, PolicyDocument: v.document, CreateDate: v.created } };
  },
  CreatePolicy(a, p, _acct, now) {
    const name = policyName(p);
    const document = checkedDocument(need(p, 'PolicyDocument'), 'PolicyDocument');
    if (a.policies.has(name)) throw new RpcError('EntityAlreadyExists.Policy', 409, `The policy already exists: ${name}.`);
    a.policies.set(name, { name, description: p.Description ?? '', versions: [{ id: 'v1', document, created: now }], defaultVersion: 'v1', nextVersion: 2 });
    return { Policy: { PolicyName: name, PolicyType: 'Custom', Description: p.Description ?? '', DefaultVersion: 'v1', CreateDate: now } };
  },
  CreatePolicyVersion(a, p, _acct, now) {
    const pol = getPolicy(a, p);
    const document = checkedDocument(need(p, 'PolicyDocument'), 'PolicyDocument');
    const rotate = p.RotateStrategy ?? 'None';
    if (rotate !== 'None' && rotate !== 'DeleteOldestNonDefaultVersionWhenLimitExceeded')
      throw new RpcError('InvalidParameter.RotateStrategy.InvalidValue', 400, 'The parameter RotateStrategy is invalid.');
    if (pol.versions.length >= MAX_VERSIONS) {
      if (rotate === 'None')
        throw new RpcError('LimitExceeded.Policy.Version', 409, `Exceeded the maximum number of policy versions, the max number is ${MAX_VERSIONS}.`);
      pol.versions.splice(
        pol.versions.findIndex((v) => v.id !== pol.defaultVersion),
        1,
      );
    }
    const id = `v${pol.nextVersion++}`;
    pol.versions.push({ id, document, created: now });
    if (p.SetAsDefault === 'true') pol.defaultVersion = id;
    return { PolicyVersion: { VersionId: id, IsDefaultVersion: pol.defaultVersion === id, PolicyDocument: document, CreateDate: now } };
  },
  ListPoliciesForRole(a, p) {
    const role = getRole(a, p);
    const names = [...(a.attachments.get(role.name.toLowerCase()) ?? [])];
    return { Policies: { Policy: names.map((n) => ({ PolicyName: n, PolicyType: 'Custom', DefaultVersion: a.policies.get(n)?.defaultVersion ?? 'v1' })) } };
  },
  AttachPolicyToRole(a, p) {
    customType(p);
    const pol = getPolicy(a, p);
    const role = getRole(a, p);
    const set = a.attachments.get(role.name.toLowerCase()) ?? new Set<string>();
    if (set.has(pol.name)) throw new RpcError('EntityAlreadyExists.Role.Policy', 409, `The policy already attached to the role: ${pol.name}.`);
    set.add(pol.name);
    a.attachments.set(role.name.toLowerCase(), set);
    return {};
  },
};

/** Starts RAM for these keys; each key's account has its own entities. `now` stamps CreateDate. */
export async function startRamSim(identities: readonly SimIdentity[], now: () => number = Date.now): Promise<RamSim> {
  const accounts = new Map<string, RamAccount>();
  const account = (id: string) => {
    const a = accounts.get(id) ?? { roles: new Map(), policies: new Map(), attachments: new Map() };
    accounts.set(id, a);
    return a;
  };
  const sim = await startRpcSim(
    {
      service: 'ram',
      host: 'ram.aliyuncs.com',
      version: '2015-05-01',
      handle(action, params, who) {
        const h = HANDLERS[action];
        if (!h) throw new RpcError('InvalidAction.NotFound', 404, 'Specified api is not found, please check your url and method.');
        return h(account(who.accountId), params, who.accountId, new Date(now()).toISOString().replace(/\.\d+Z$/, 'Z'));
      },
    },
    identities,
  );
  return { ...sim, account };
}
