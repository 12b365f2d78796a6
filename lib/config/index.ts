import * as v from 'valibot';
import { DEFAULT_VOD_ENDPOINT } from '../vod/client';
import { KNOWN_DESCRIPTIONS } from '../vod/descriptions';
import { OBJECT_TYPES, type ObjectType } from '../vod/types';
import { cadenceProblems, cadenceTimings } from './cadence';

export { CADENCES, timingsOf } from './cadence';
export { VARIABLES, variableDocs } from './schema';

import { schema, VARIABLES } from './schema';

/** Start-up configuration that cannot be used; its message names each bad variable and what it accepts. */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    options?: ErrorOptions,
  ) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`, options);
    this.name = 'ConfigError';
  }
}

const PREFIXES = /^(VOD_|DINGTALK_|ALERT_|ALERTING_|WECOM_|STUCK_|FIRST_RUN_|STATE_|MONITOR_|AUTO_REFRESH|BLIND_)/;

function closest(name: string): string | null {
  let best: string | null = null;
  let bestScore = Infinity;
  for (const candidate of VARIABLES) {
    const d = distance(name, candidate);
    if (d < bestScore) [best, bestScore] = [candidate, d];
  }
  return bestScore <= 3 ? best : null;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** The variables the alert channel needs: enough for the failure handler when the rest is broken. */
const ALERT_VARIABLES = [
  'ALERT_CHANNEL',
  'DINGTALK_WEBHOOK',
  'DINGTALK_SECRET',
  'DINGTALK_KEYWORDS',
  'DINGTALK_AT_MOBILES',
  'DINGTALK_AT_USER_IDS',
  'DINGTALK_AT_ALL_MIN_FAILURES',
  'ALERT_WEBHOOK_URL',
  'WECOM_WEBHOOK',
  'ALERT_MAX_PER_MINUTE',
  'ALERT_TIMEOUT_MS',
  'MONITOR_NAME',
  'ALERT_HINT',
  'STATE_FILE',
  'MONITOR_EVERY_MINUTES',
  'LOG_LEVEL',
] as const;
const alertSchema = v.pick(schema, ALERT_VARIABLES);

/** The variable that holds each channel's URL. */
const URL_VARIABLE = { dingtalk: 'DINGTALK_WEBHOOK', wecom: 'WECOM_WEBHOOK', webhook: 'ALERT_WEBHOOK_URL' } as const;

/**
 * What is wrong with a receiver's URL, checked as its environment variable would be (https, the robot's token): a
 * problem without the value, or null. For the alerting file's receivers.
 */
export function receiverUrlProblem(channel: keyof typeof URL_VARIABLE, url: string): string | null {
  const parsed = v.safeParse(schema.entries[URL_VARIABLE[channel]], url);
  return parsed.success ? null : parsed.issues[0]!.message;
}

/** The channel's URL is required: checked on the raw values, so that it is reported with every other problem. */
function missingChannelUrl(env: Record<string, string | undefined>): string | null {
  const channel = (env.ALERT_CHANNEL?.trim() || 'dingtalk') as keyof typeof URL_VARIABLE;
  const name = URL_VARIABLE[channel];
  if (!name || env[name]?.trim()) return null;
  return `${name}: is required when ALERT_CHANNEL is ${channel}`;
}

function alertOf(e: v.InferOutput<typeof alertSchema>) {
  const channel = e.ALERT_CHANNEL;
  const url = e[URL_VARIABLE[channel]];
  // missingChannelUrl reported it already; this narrows the type.
  if (url === null) throw new ConfigError([`${URL_VARIABLE[channel]}: is required when ALERT_CHANNEL is ${channel}`]);
  return {
    channel,
    url,
    secret: e.DINGTALK_SECRET,
    keywords: e.DINGTALK_KEYWORDS,
    atMobiles: e.DINGTALK_AT_MOBILES,
    atUserIds: e.DINGTALK_AT_USER_IDS,
    atAllMinFailures: e.DINGTALK_AT_ALL_MIN_FAILURES,
    maxPerMinute: e.ALERT_MAX_PER_MINUTE,
    timeoutMs: e.ALERT_TIMEOUT_MS,
    monitorName: e.MONITOR_NAME,
    hint: e.ALERT_HINT,
  };
}

function vodOf(e: v.InferOutput<typeof schema>) {
  return {
    endpoint: e.VOD_ENDPOINT ?? DEFAULT_VOD_ENDPOINT,
    domains: e.VOD_DOMAINS,
    objectTypes: (e.VOD_OBJECT_TYPES.length ? e.VOD_OBJECT_TYPES : [...OBJECT_TYPES]) as ObjectType[],
    requestsPerSecond: e.VOD_REQUESTS_PER_SECOND,
    concurrency: e.VOD_CONCURRENCY,
    requestTimeoutMs: e.VOD_REQUEST_TIMEOUT_MS,
    overlapMs: cadenceTimings(e).overlapMs,
    method: e.VOD_HTTP_METHOD,
  };
}

function build(e: v.InferOutput<typeof schema>) {
  const { cadenceMs, firstRunLookbackMs, blindAfterMs } = cadenceTimings(e);
  return {
    vod: vodOf(e),
    /** The time between two runs (MONITOR_EVERY_MINUTES, which s.yaml's timer also reads). */
    cadenceMs,
    stuckAfterMs: e.STUCK_AFTER_MINUTES * 60_000,
    firstRunLookbackMs,
    blindAfterMs,
    stateFile: e.STATE_FILE,
    alert: alertOf(e),
    autoRefresh: {
      enabled: e.AUTO_REFRESH === 'on',
      descriptions: e.AUTO_REFRESH_DESCRIPTIONS.length ? e.AUTO_REFRESH_DESCRIPTIONS : [...KNOWN_DESCRIPTIONS],
      maxRetries: e.AUTO_REFRESH_MAX_RETRIES,
      delayMs: e.AUTO_REFRESH_DELAY_MINUTES * 60_000,
      quotaShare: e.AUTO_REFRESH_QUOTA_SHARE,
    },
    logLevel: e.LOG_LEVEL,
    /** The alerting file, or null for the single robot of DINGTALK_* (or WECOM_WEBHOOK, ALERT_WEBHOOK_URL). */
    alertingConfig: e.ALERTING_CONFIG || null,
    /** Values for the alerting file's `${NAME}`s, used when the environment has no variable of that name. */
    alertingSecrets: e.ALERTING_SECRETS,
    /** Things worth a log line that do not stop the run. */
    warnings: e.VOD_MAX_PAGES !== null ? ['VOD_MAX_PAGES is no longer used: a run reads what its time allows, and the next one continues'] : [],
  };
}

/** The monitor's configuration, validated once into a frozen object. */
export type Config = Readonly<ReturnType<typeof build>>;

/** Variables with one of `prefixes` that this build does not know: typos, each with its likely meaning. */
function unknownNames(env: Record<string, string | undefined>, prefixes: RegExp): string[] {
  return Object.keys(env)
    .filter((name) => prefixes.test(name) && !(VARIABLES as string[]).includes(name))
    .map((name) => {
      const guess = closest(name);
      return `${name}: unknown variable${guess ? `; did you mean ${guess}?` : ''} (names starting with VOD_, DINGTALK_, ALERT_, WECOM_, STUCK_, STATE_, MONITOR_ … are this function's own; give an alerting file's secrets other names, e.g. TEAM_A_WEBHOOK)`;
    });
}

/** Only the VOD_* variables, checked as loadConfig checks them, for commands that alert nobody (`wait`, `refresh`). */
export function loadVodConfig(env: Record<string, string | undefined>): Config['vod'] {
  const problems = unknownNames(env, /^VOD_/);
  const parsed = v.safeParse(schema, Object.fromEntries(VARIABLES.map((k) => [k, k.startsWith('VOD_') ? env[k] : undefined])));
  if (!parsed.success) for (const issue of parsed.issues) problems.push(`${String(issue.path?.[0]?.key ?? '(config)')}: ${issue.message}`);
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return deepFreeze(vodOf(parsed.output));
}

/**
 * Validates the environment into a frozen Config. Every problem is reported at once, each naming its variable
 * and what it accepts; a variable with one of our prefixes that this build does not know is refused as a typo.
 */
export function loadConfig(env: NodeJS.ProcessEnv | Record<string, string | undefined>): Config {
  const problems = unknownNames(env, PREFIXES);
  const parsed = v.safeParse(schema, Object.fromEntries(VARIABLES.map((k) => [k, env[k]])));
  if (!parsed.success) for (const issue of parsed.issues) problems.push(`${String(issue.path?.[0]?.key ?? '(config)')}: ${issue.message}`);
  if (parsed.success) problems.push(...cadenceProblems(parsed.output));
  const missing = missingChannelUrl(env);
  if (missing) problems.push(missing);
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return deepFreeze(build(parsed.output));
}

/**
 * Only what the alert channel needs (and STATE_FILE, LOG_LEVEL), for the failure handler: it must still be able to
 * say that the monitor's configuration is broken when that is the very failure. Other variables are not read.
 */
export function loadAlertConfig(env: Record<string, string | undefined>): {
  alert: Config['alert'];
  stateFile: string;
  logLevel: string;
  cadenceMs: number;
} {
  const parsed = v.safeParse(alertSchema, Object.fromEntries(ALERT_VARIABLES.map((k) => [k, env[k]])));
  const problems = parsed.success ? [] : parsed.issues.map((issue) => `${String(issue.path?.[0]?.key ?? '(config)')}: ${issue.message}`);
  const missing = missingChannelUrl(env);
  if (missing) problems.push(missing);
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  return deepFreeze({
    alert: alertOf(parsed.output),
    stateFile: parsed.output.STATE_FILE,
    logLevel: parsed.output.LOG_LEVEL,
    cadenceMs: parsed.output.MONITOR_EVERY_MINUTES * 60_000,
  });
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const x of Object.values(o)) deepFreeze(x);
    Object.freeze(o);
  }
  return o;
}
