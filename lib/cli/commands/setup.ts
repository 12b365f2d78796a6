import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../config';
import { applyChange, type Caller, observe, roleArn, type SetupApis, whoAmI } from '../../setup/account';
import { setupApis } from '../../setup/apis';
import { bucketNameProblem, DEFAULT_ROLE, type Desired, defaultBucket, desiredState, roleNameProblem } from '../../setup/desired';
import { updateEnvText } from '../../setup/env-file';
import { CloudError } from '../../setup/errors';
import { type PlanItem, planSetup } from '../../setup/plan';
import { CliError, EXIT, type ExitCode, type Printer } from '../printer';
import type { CommonOptions, Session } from '../session';

/** Options of `setup`. */
export interface SetupOptions extends CommonOptions {
  readonly yes?: boolean;
  readonly role?: string;
  readonly bucket?: string;
  readonly autoRefresh?: boolean;
}

const FIX_DENIED = 'run setup as an administrator of the account, or attach deploy/setup-user-policy.json to this RAM user (docs/deploy.md)';

/** Runs a step of setup; a refused or failed call ends the command with exit 3 and what to do. */
async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof CloudError)) throw err;
    const unreached = err.unreached;
    const what = `${err.service} ${unreached ? 'could not be reached for' : 'refused'} ${err.action}: ${err.code}: ${err.message}${err.requestId ? ` (RequestId ${err.requestId})` : ''}`;
    const fix = unreached
      ? "check this machine's network (DNS, a proxy or firewall) and try again; nothing after this call was changed"
      : err.denied
        ? err.service === 'OSS' && err.action === 'GetBucketInfo'
          ? `the bucket may belong to another account (choose a name with --bucket), or ${FIX_DENIED}`
          : FIX_DENIED
        : /^(InvalidAccessKeyId|SignatureDoesNotMatch|InvalidSecurityToken)/.test(err.code)
          ? 'check ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for STS keys)'
          : 'try again; nothing after this call was changed';
    throw new CliError(EXIT.remote, `${what}\nfix: ${fix}`);
  }
}

function desiredOf(s: Session, o: SetupOptions, caller: Caller): Desired {
  const roleName = (o.role ?? '').trim() || DEFAULT_ROLE;
  const bucket = (o.bucket ?? s.env.STATE_BUCKET ?? '').trim() || defaultBucket(caller.accountId);
  const problems = [
    roleNameProblem(roleName) && `--role: ${roleNameProblem(roleName)}`,
    bucketNameProblem(bucket) &&
      `${o.bucket ? '--bucket' : 'STATE_BUCKET'}: ${JSON.stringify(bucket.slice(0, 70))} is not a bucket name; ${bucketNameProblem(bucket)}`,
  ].filter((p): p is string => Boolean(p));
  if (problems.length) throw new ConfigError(problems);
  const autoRefresh = Boolean(o.autoRefresh) || (s.env.AUTO_REFRESH ?? '').trim() === 'on';
  return desiredState({ accountId: caller.accountId, roleName, bucket, autoRefresh });
}

const LABEL: Record<PlanItem['state'], string> = { exists: 'exists', create: 'create', update: 'update', blocked: 'BLOCKED' };

function printPlan(print: Printer, d: Desired, plan: PlanItem[], envLines: string[]): void {
  for (const item of plan) {
    print.out(`  ${LABEL[item.state].padEnd(7)} ${item.what}`);
    if (item.why) print.out(`          fix: ${item.why}`);
  }
  for (const l of envLines) print.out(`  ${'write'.padEnd(7)} ${l}`);
  if (plan.some((i) => i.change?.api === 'CreateRole')) print.out(`\nThe role's trust policy (deploy/trust-policy.json):\n${d.trust}`);
  for (const p of d.policies) {
    if (plan.some((i) => i.change && 'policy' in i.change && i.change.policy === p.name && i.change.api !== 'AttachPolicyToRole'))
      print.out(`\nThe policy ${p.name} (${p.source}):\n${p.document}`);
  }
}

/** The values the deploy needs, and the lines of `.env` they change (empty when it already holds them). */
function envChange(s: Session, values: Record<string, string>): { file: string | null; text: string; lines: string[] } {
  const file = s.io.cwd ? path.join(s.io.cwd, '.env') : null;
  let before = '';
  try {
    before = file ? readFileSync(file, 'utf8') : '';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const u = updateEnvText(before, values);
  const where = file ? path.relative(s.io.cwd!, file) || '.env' : '.env';
  return { file, text: u.text, lines: u.changed.map((c) => `${where}: ${c.name}=${values[c.name]} (${c.was === 'added' ? 'new' : 'replaces the old value'})`) };
}

async function apply(s: Session, apis: SetupApis, d: Desired, plan: PlanItem[]): Promise<string> {
  for (const item of plan) {
    if (!item.change) continue;
    await guarded(() => applyChange(apis, d, item.change!));
    s.print.out(`  done    ${item.what}`);
  }
  return guarded(() => roleArn(apis.ram, d));
}

/**
 * Creates what the deploy needs and `s` cannot: the functions' RAM role with its policies (deploy/*.json) and a
 * private state bucket, then writes FC_ROLE_ARN, STATE_BUCKET and FC_ACCOUNT_ID into `.env`. Prints the plan first and
 * changes nothing without --yes; a second run finds everything and creates nothing.
 */
export async function setupCommand(s: Session, o: SetupOptions): Promise<ExitCode> {
  const apis = setupApis(s.env, s.credentials());
  const caller = await guarded(() => whoAmI(apis.sts));
  const d = desiredOf(s, o, caller);
  const observed = await guarded(() => observe(apis, d));
  const plan = planSetup(d, observed);
  s.print.out(`setup for account ${caller.accountId}${caller.arn ? ` (you are ${caller.arn})` : ''}, region ${d.region}\n`);
  const values = (arn: string) => ({ FC_ROLE_ARN: arn, STATE_BUCKET: d.bucket, FC_ACCOUNT_ID: d.accountId });
  const env = envChange(s, values(observed.role?.arn || `acs:ram::${d.accountId}:role/${d.roleName.toLowerCase()}`));
  printPlan(s.print, d, plan, env.lines);
  if (plan.some((i) => i.state === 'blocked')) {
    s.print.out('\nNothing was changed: fix the lines marked BLOCKED first.');
    return EXIT.problem;
  }
  const changes = plan.filter((i) => i.change).length + env.lines.length;
  if (changes === 0) {
    s.print.out('\nNothing to create: the role, its policies and the bucket exist as they should, and .env holds their values.');
    return EXIT.ok;
  }
  if (!o.yes) {
    s.print.out(`\nNothing was changed. Run \`npx vod-refresh-monitor setup --yes\` to make the ${changes} change(s) above.`);
    return EXIT.ok;
  }
  s.print.out('');
  const arn = await apply(s, apis, d, plan);
  writeEnv(s, values(arn));
  const channel = s.env.DINGTALK_WEBHOOK || s.env.WECOM_WEBHOOK || s.env.ALERT_WEBHOOK_URL;
  s.print.out(`\nNext: ${channel ? '' : 'put the alert channel in .env (DINGTALK_WEBHOOK, DINGTALK_SECRET, DINGTALK_KEYWORDS), then '}run \`npx s deploy\`.`);
  return EXIT.ok;
}

function writeEnv(s: Session, values: Record<string, string>): void {
  const env = envChange(s, values);
  if (!env.file) {
    for (const [k, v] of Object.entries(values)) s.print.out(`  ${k}=${v}`);
    return;
  }
  if (env.lines.length === 0) return;
  writeFileSync(env.file, env.text, { mode: 0o600 });
  for (const l of env.lines) s.print.out(`  wrote   ${l}`);
}
