import type { Desired } from './desired';
import type { BucketInfo } from './oss';

/** What the account holds today, as `setup` read it. */
export interface Observed {
  readonly role: { readonly arn: string; readonly trust: string } | null;
  /** Each desired policy's default version document, or null when there is no custom policy of that name. */
  readonly policies: Readonly<Record<string, string | null>>;
  /** Names of the custom policies attached to the role. */
  readonly attached: readonly string[];
  readonly bucket: BucketInfo | null;
}

/** A change `setup --yes` makes. */
export type Change =
  | { readonly api: 'CreateRole' }
  | { readonly api: 'CreatePolicy' | 'CreatePolicyVersion' | 'AttachPolicyToRole'; readonly policy: string }
  | { readonly api: 'PutBucket' };

/** One line of the plan: a resource, whether it is there as it should be, and what would change it. */
export interface PlanItem {
  readonly what: string;
  readonly state: 'exists' | 'create' | 'update' | 'blocked';
  /** For `blocked`: what is wrong and how to fix it. */
  readonly why?: string;
  readonly change?: Change;
}

/** A policy document in one canonical form (keys sorted, no spacing), so RAM's reformatting is not a difference. */
export function canonicalJson(text: string): string | null {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  try {
    return JSON.stringify(sort(JSON.parse(text)));
  } catch {
    return null;
  }
}

const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : x === undefined ? [] : [x]);

/** Whether a trust policy lets Function Compute assume the role. */
export function trustsFunctionCompute(text: string): boolean {
  try {
    const doc = JSON.parse(text) as { Statement?: Array<{ Effect?: string; Action?: unknown; Principal?: { Service?: unknown } }> };
    return list(doc.Statement).some((s) => {
      const st = s as { Effect?: string; Action?: unknown; Principal?: { Service?: unknown } };
      return st.Effect === 'Allow' && list(st.Action).includes('sts:AssumeRole') && list(st.Principal?.Service).includes('fc.aliyuncs.com');
    });
  } catch {
    return false;
  }
}

function bucketItem(d: Desired, b: BucketInfo | null): PlanItem {
  const what = `OSS bucket ${d.bucket} in ${d.region}, private, Standard storage`;
  if (!b) return { what, state: 'create', change: { api: 'PutBucket' } };
  const problems = [
    b.location !== `oss-${d.region}` ? `it is in ${b.location}, and the functions mount it over the internal endpoint of ${d.region}` : '',
    b.acl !== 'private' ? `its ACL is ${b.acl}: make it private (the state and the alerting file are in it)` : '',
    /Archive/i.test(b.storageClass) ? `its storage class is ${b.storageClass}, which freezes objects the mount must read` : '',
  ].filter(Boolean);
  return problems.length
    ? { what, state: 'blocked', why: `${problems.join('; ')}; fix it in the OSS console, or choose another bucket with --bucket` }
    : { what, state: 'exists' };
}

/** The plan: each resource `setup` keeps, in the order it is created, and what would make it as `desired` says. */
export function planSetup(d: Desired, o: Observed): PlanItem[] {
  const items: PlanItem[] = [];
  const roleWhat = `RAM role ${d.roleName}, trusted by Function Compute (deploy/trust-policy.json)`;
  if (!o.role) items.push({ what: roleWhat, state: 'create', change: { api: 'CreateRole' } });
  else if (!trustsFunctionCompute(o.role.trust))
    items.push({
      what: roleWhat,
      state: 'blocked',
      why: `the role ${d.roleName} exists but Function Compute may not assume it; add fc.aliyuncs.com to its trust policy in the RAM console, or name another role with --role`,
    });
  else items.push({ what: roleWhat, state: 'exists' });
  for (const p of d.policies) {
    const what = `RAM policy ${p.name} (${p.source}${p.source.endsWith('ram-policy.json') ? ` for bucket ${d.bucket}` : ''})`;
    const current = o.policies[p.name];
    if (current === null || current === undefined) items.push({ what, state: 'create', change: { api: 'CreatePolicy', policy: p.name } });
    else if (canonicalJson(current) !== canonicalJson(p.document))
      items.push({ what, state: 'update', change: { api: 'CreatePolicyVersion', policy: p.name } });
    else items.push({ what, state: 'exists' });
    const attachWhat = `policy ${p.name} attached to role ${d.roleName}`;
    items.push(
      o.attached.includes(p.name)
        ? { what: attachWhat, state: 'exists' }
        : { what: attachWhat, state: 'create', change: { api: 'AttachPolicyToRole', policy: p.name } },
    );
  }
  items.push(bucketItem(d, o.bucket));
  return items;
}
