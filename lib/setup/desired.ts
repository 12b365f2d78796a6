import functionPolicy from '../../deploy/ram-policy.json';
import autoRefreshPolicy from '../../deploy/ram-policy-auto-refresh.json';
import trustPolicy from '../../deploy/trust-policy.json';

/** The region every resource lives in: DescribeVodRefreshTasks exists in Shanghai only. */
export const REGION = 'cn-shanghai';
/** The role's name when --role does not say otherwise; s.yaml's FC_ROLE_ARN is written from it. */
export const DEFAULT_ROLE = 'vod-refresh-monitor';

/** A custom RAM policy `setup` keeps: its name, where its document comes from, and the document. */
export interface DesiredPolicy {
  readonly name: string;
  readonly source: string;
  readonly document: string;
}

/** What `setup` makes sure exists. */
export interface Desired {
  readonly accountId: string;
  readonly region: string;
  readonly roleName: string;
  readonly trust: string;
  readonly policies: readonly DesiredPolicy[];
  readonly bucket: string;
}

/** The default state bucket: bucket names are global, so the account id keeps it ours. */
export const defaultBucket = (accountId: string) => `vod-refresh-monitor-${accountId}`;

/** Why a bucket name is not one OSS accepts, or null. */
export function bucketNameProblem(name: string): string | null {
  return /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name) ? null : 'use 3-63 lower-case letters, digits and hyphens, starting and ending with a letter or digit';
}

/** Why a role name is not one RAM accepts, or null. */
export function roleNameProblem(name: string): string | null {
  return /^[A-Za-z0-9.-]{1,64}$/.test(name) ? null : 'use 1-64 letters, digits, periods and hyphens';
}

const pretty = (doc: unknown) => JSON.stringify(doc, null, 2);

/** The role, its policies (the auto-refresh one only when asked) and the bucket, from deploy/*.json. */
export function desiredState(o: { accountId: string; roleName: string; bucket: string; autoRefresh: boolean }): Desired {
  const policies: DesiredPolicy[] = [
    { name: o.roleName, source: 'deploy/ram-policy.json', document: pretty(functionPolicy).replaceAll('YOUR_STATE_BUCKET', o.bucket) },
  ];
  if (o.autoRefresh) policies.push({ name: `${o.roleName}-auto-refresh`, source: 'deploy/ram-policy-auto-refresh.json', document: pretty(autoRefreshPolicy) });
  return { accountId: o.accountId, region: REGION, roleName: o.roleName, trust: pretty(trustPolicy), policies, bucket: o.bucket };
}
