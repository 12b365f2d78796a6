import { existsSync } from 'node:fs';
import path from 'node:path';
import { type Config, ConfigError, loadAlertConfig, loadConfig, variableDocs } from '../../config';
import { loadAlerting } from '../../policy/load';
import type { Outcome } from '../checks';

type Env = Readonly<Record<string, string | undefined>>;

/** One line of the deploy check; a `fail` stops `s deploy`, and says how to fix it. */
export interface DeployFinding {
  readonly outcome: Extract<Outcome, 'ok' | 'note' | 'fail'>;
  readonly text: string;
  readonly fix?: string;
}

/** The variables s.yaml itself reads (never the function): they place the function, not configure it. */
export const DEPLOY_VARIABLES = ['FC_ROLE_ARN', 'STATE_BUCKET', 'FC_ACCOUNT_ID'] as const;

/** Where Function Compute puts the folder s.yaml deploys (`code: ./dist`). */
const CODE_MOUNT = '/code/';

const ROLE_ARN = /^acs:ram::(\d{1,32}):role\/([A-Za-z0-9._-]{1,64})$/;
const BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * The environment the function gets from s.yaml: the same values, without what s.yaml reads itself or fixes
 * (STATE_FILE is always the file on the mount). Unknown names stay, so that a typo is refused as the function would.
 */
function functionEnv(env: Env): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  for (const name of [...DEPLOY_VARIABLES, 'STATE_FILE']) delete out[name];
  return out;
}

const DOCS = new Map(variableDocs().map((d) => [d.name, d]));

/** How to fix a problem of the function's configuration, from the variable it names and what that accepts. */
function fixOf(problem: string): string {
  const name = /^([A-Z][A-Z0-9_]*):/.exec(problem)?.[1] ?? '';
  const doc = DOCS.get(name);
  if (!doc) return `unset ${name || 'the variable'} (or correct its name): the function reads only the variables of its table (docs/configuration.md)`;
  const value = doc.accepts.startsWith('https://') ? doc.accepts : `<${doc.accepts}>`;
  if (/is required when ALERT_CHANNEL/.test(problem)) return `export ${name}=${value} (or choose another channel with ALERT_CHANNEL)`;
  const def = doc.default.trim();
  return `export ${name}=${value}, or unset it${/^\(|^none$|^$/.test(def) ? '' : ` for its default (${def})`}`;
}

/** The value `load` returns, or null with its problems added to `problems`. */
function attempt<T>(load: () => T, problems: Set<string>): T | null {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) problems.add(p);
    return null;
  }
}

/** The function's own validation, as the monitor (loadConfig) and its failure handler (loadAlertConfig) make it. */
function functionChecks(env: Record<string, string | undefined>): { config: Config | null; findings: DeployFinding[] } {
  const problems = new Set<string>();
  const c = attempt(() => loadConfig(env), problems);
  attempt(() => loadAlertConfig(env), problems);
  const findings: DeployFinding[] = [...problems].map((p) => ({ outcome: 'fail', text: p, fix: fixOf(p) }));
  if (c) {
    const where = c.alert.url ? new URL(c.alert.url).host : '?';
    findings.push({
      outcome: 'ok',
      text: `the function accepts its configuration: ${c.alert.channel} alerts to ${where}, every ${c.cadenceMs / 60_000} min, blind after ${c.blindAfterMs / 60_000} min`,
    });
  }
  const every = env.MONITOR_EVERY_MINUTES;
  if (c && every?.trim() && every !== String(c.cadenceMs / 60_000))
    findings.push({
      outcome: 'fail',
      text: `MONITOR_EVERY_MINUTES: ${JSON.stringify(every)} is written into the timer's cron as it is`,
      fix: `export MONITOR_EVERY_MINUTES=${c.cadenceMs / 60_000}`,
    });
  return { config: c, findings };
}

/** What only the deploy can check: the role and the bucket s.yaml gives both functions, and the destination's account. */
function placementChecks(env: Env): DeployFinding[] {
  const out: DeployFinding[] = [];
  const arn = (env.FC_ROLE_ARN ?? '').trim();
  const role = ROLE_ARN.exec(arn);
  if (role) out.push({ outcome: 'ok', text: `FC_ROLE_ARN: role ${role[2]} of account ${role[1]}` });
  else
    out.push({
      outcome: 'fail',
      text: `FC_ROLE_ARN: ${arn ? 'is not the ARN of a RAM role' : 'is not set'}`,
      fix: 'export FC_ROLE_ARN=acs:ram::<account id>:role/<role name>, or let `npx vod-refresh-monitor setup --yes` create the role and write it into .env (docs/deploy.md, step 2)',
    });
  const bucket = (env.STATE_BUCKET ?? '').trim();
  if (BUCKET.test(bucket) && !bucket.includes('--')) out.push({ outcome: 'ok', text: `STATE_BUCKET: ${bucket}` });
  else
    out.push({
      outcome: 'fail',
      text: `STATE_BUCKET: ${bucket ? `${JSON.stringify(bucket.slice(0, 80))} is not an OSS bucket name` : 'is not set'}`,
      fix: 'export STATE_BUCKET with the name alone (no oss://, no endpoint): 3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit',
    });
  const account = (env.FC_ACCOUNT_ID ?? '').trim();
  if (account && role && account !== role[1])
    out.push({
      outcome: 'fail',
      text: `FC_ACCOUNT_ID: ${JSON.stringify(account.slice(0, 40))} is not the account of FC_ROLE_ARN (${role[1]}): failed runs would be sent to a watchdog that is not there`,
      fix: `export FC_ACCOUNT_ID=${role[1]}, or unset it (the account of the s access is then used)`,
    });
  return out;
}

/** The alerting file, when ALERTING_CONFIG names one this machine holds (a `/code/` path is in the deployed folder). */
async function alertingChecks(env: Record<string, string | undefined>, config: Config | null, codeDir: string): Promise<DeployFinding[]> {
  const named = config?.alertingConfig;
  if (!config || !named) return [];
  const local = named.startsWith(CODE_MOUNT) ? path.join(codeDir, named.slice(CODE_MOUNT.length)) : named;
  if (!existsSync(local))
    return [
      {
        outcome: 'note',
        text: `ALERTING_CONFIG (${named}) is not on this machine: the function reads it at every run (a broken file sends every alert to the environment's robot)`,
      },
    ];
  try {
    const plan = await loadAlerting(local, config, env);
    return [{ outcome: 'ok', text: `ALERTING_CONFIG (${named}): ${plan.receivers.size} receiver(s), ${plan.routes.length} route(s)` }];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const fix = `correct ${local} (docs/configuration.md, "The alerting file"); each \${NAME} it references must be exported too`;
    return err.problems.map((p) => ({ outcome: 'fail', text: p, fix }));
  }
}

/**
 * Everything `s deploy` can know offline about the configuration it is about to deploy: the function's own
 * validation of the environment s.yaml passes it, the role, the bucket, the destination's account and a local
 * alerting file. No network.
 */
export async function deployFindings(env: Env, codeDir: string): Promise<DeployFinding[]> {
  const fnEnv = functionEnv(env);
  const { config, findings } = functionChecks(fnEnv);
  return [...findings, ...placementChecks(env), ...(await alertingChecks(fnEnv, config, codeDir))];
}
