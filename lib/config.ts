import { z } from 'zod';
import { OBJECT_TYPES, type ObjectType } from './vod/types';
import { DEFAULT_VOD_ENDPOINT } from './vod/client';

/** The monitor's configuration, validated once into a frozen object. */
export interface Config {
  readonly vod: {
    readonly endpoint: string;
    readonly domains: readonly string[];
    readonly objectTypes: readonly ObjectType[];
    readonly requestsPerSecond: number;
    readonly concurrency: number;
    readonly requestTimeoutMs: number;
    readonly maxPages: number;
    readonly overlapMs: number;
    readonly method: 'GET' | 'POST';
  };
  readonly stuckAfterMs: number;
  readonly firstRunLookbackMs: number;
  readonly stateFile: string;
  readonly alert: {
    readonly channel: 'dingtalk' | 'webhook' | 'wecom';
    readonly url: string | null;
    readonly secret: string | null;
    readonly keywords: readonly string[];
    readonly atMobiles: readonly string[];
    readonly atUserIds: readonly string[];
    readonly atAllMinFailures: number;
    readonly maxPerMinute: number;
    readonly timeoutMs: number;
    readonly monitorName: string;
    readonly hint: string;
  };
  readonly logLevel: string;
}

/** Every variable this build reads, with its default, for the README and for catching typos. */
export const VARIABLES = [
  'VOD_ENDPOINT', 'VOD_DOMAINS', 'VOD_OBJECT_TYPES', 'VOD_REQUESTS_PER_SECOND', 'VOD_CONCURRENCY', 'VOD_REQUEST_TIMEOUT_MS',
  'VOD_MAX_PAGES', 'VOD_SCAN_OVERLAP_SECONDS', 'VOD_HTTP_METHOD', 'STUCK_AFTER_MINUTES', 'FIRST_RUN_LOOKBACK_MINUTES', 'STATE_FILE',
  'ALERT_CHANNEL', 'DINGTALK_WEBHOOK', 'DINGTALK_SECRET', 'DINGTALK_KEYWORDS', 'DINGTALK_AT_MOBILES', 'DINGTALK_AT_USER_IDS',
  'DINGTALK_AT_ALL_MIN_FAILURES', 'ALERT_WEBHOOK_URL', 'WECOM_WEBHOOK', 'ALERT_MAX_PER_MINUTE', 'ALERT_TIMEOUT_MS', 'MONITOR_NAME', 'ALERT_HINT', 'LOG_LEVEL',
] as const;

const PREFIXES = /^(VOD_|DINGTALK_|ALERT_|WECOM_|STUCK_|FIRST_RUN_|STATE_|MONITOR_)/;

export const DEFAULT_HINT = 'Next: check the origin of the domains above, then refresh again in the VOD console (CDN refresh and prefetch) or run `npx vod-refresh-monitor tasks --status Failed`.';

/** Start-up configuration that cannot be used; its message names each bad variable and what it accepts. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** A comma-separated list whose every item must pass `valid`; `refuse` words the error for the first that fails. */
const listOf = (valid: (item: string) => boolean, refuse: (bad: string) => string, normalize: (item: string) => string = (x) => x) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const items = list(v).map(normalize);
      const bad = items.find((item) => !valid(item));
      if (bad !== undefined) ctx.addIssue({ code: 'custom', message: refuse(bad) });
      return items;
    });

const int = (dflt: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return dflt;
      const n = Number(v);
      if (!/^\s*-?\d+\s*$/.test(v) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not accepted; use a whole number from ${min} to ${max} (default ${dflt})` });
        return z.NEVER;
      }
      return n;
    });

const httpUrl = (what: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return null;
      let u: URL;
      try {
        u = new URL(v.trim());
      } catch {
        ctx.addIssue({ code: 'custom', message: `is not a URL; use ${what}` });
        return z.NEVER;
      }
      if (u.protocol !== 'https:' && !(u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))) {
        ctx.addIssue({ code: 'custom', message: `must be https (http only on loopback); use ${what}` });
        return z.NEVER;
      }
      return v.trim();
    });

const schema = z.object({
  VOD_ENDPOINT: httpUrl(`the VOD endpoint, default ${DEFAULT_VOD_ENDPOINT}`).transform((v) => v ?? DEFAULT_VOD_ENDPOINT),
  VOD_DOMAINS: listOf(
    (d) => /^[a-z0-9.-]{1,253}(:\d{1,5})?$/.test(d),
    (bad) => `${JSON.stringify(bad)} is not a domain; use comma-separated domain names, or leave empty for all`,
    (d) => d.toLowerCase(),
  ),
  VOD_OBJECT_TYPES: listOf(
    (t) => (OBJECT_TYPES as readonly string[]).includes(t),
    (bad) => `${JSON.stringify(bad)} is not accepted; use a comma-separated subset of ${OBJECT_TYPES.join(',')}`,
  ).transform((types) => (types.length === 0 ? [...OBJECT_TYPES] : (types as ObjectType[]))),
  VOD_REQUESTS_PER_SECOND: int(5, 1, 100),
  VOD_CONCURRENCY: int(3, 1, 16),
  VOD_REQUEST_TIMEOUT_MS: int(5000, 200, 60_000),
  VOD_MAX_PAGES: int(400, 1, 10_000),
  VOD_SCAN_OVERLAP_SECONDS: int(300, 0, 3600),
  VOD_HTTP_METHOD: z.enum(['GET', 'POST'], { message: 'use GET or POST (default GET)' }).optional().transform((v) => v ?? 'GET'),
  STUCK_AFTER_MINUTES: int(30, 1, 24 * 60),
  FIRST_RUN_LOOKBACK_MINUTES: int(60, 0, 3 * 24 * 60),
  STATE_FILE: z.string().optional().transform((v) => (v && v.trim()) || '.state/vod-refresh-monitor.json'),
  ALERT_CHANNEL: z.enum(['dingtalk', 'webhook', 'wecom'], { message: 'use dingtalk, webhook or wecom (default dingtalk)' }).optional().transform((v) => v ?? 'dingtalk'),
  DINGTALK_WEBHOOK: httpUrl('the robot webhook, https://oapi.dingtalk.com/robot/send?access_token=...'),
  DINGTALK_SECRET: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return null;
      if (/\s/.test(v.trim()) || v.trim().length < 8) ctx.addIssue({ code: 'custom', message: 'is not a signing secret; use the robot\'s SEC... secret, or leave empty when signing is off' });
      return v.trim();
    }),
  DINGTALK_KEYWORDS: z.string().optional().transform(list),
  DINGTALK_AT_MOBILES: listOf((m) => /^\+?\d{5,20}$/.test(m), (bad) => `${JSON.stringify(bad)} is not a mobile number; use comma-separated digits`),
  DINGTALK_AT_USER_IDS: listOf((m) => /^[A-Za-z0-9_$-]{1,64}$/.test(m), (bad) => `${JSON.stringify(bad)} is not a DingTalk user id; use comma-separated ids`),
  DINGTALK_AT_ALL_MIN_FAILURES: int(0, 0, 100_000),
  ALERT_WEBHOOK_URL: httpUrl('the URL that receives the JSON alerts'),
  WECOM_WEBHOOK: httpUrl('the WeCom group robot webhook, https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...'),
  ALERT_MAX_PER_MINUTE: int(20, 1, 20),
  ALERT_TIMEOUT_MS: int(5000, 200, 30_000),
  MONITOR_NAME: z.string().optional().transform((v) => (v && v.trim().slice(0, 60)) || 'VOD refresh'),
  ALERT_HINT: z.string().optional().transform((v) => (v && v.trim().slice(0, 500)) || DEFAULT_HINT),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'use fatal, error, warn, info, debug, trace or silent (default info)' }).optional().transform((v) => v ?? 'info'),
});

function closest(name: string): string | null {
  let best: string | null = null;
  let bestScore = Infinity;
  for (const v of VARIABLES) {
    const d = distance(name, v);
    if (d < bestScore) {
      best = v;
      bestScore = d;
    }
  }
  return bestScore <= 3 ? best : null;
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) dp[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      dp[i]![j] = Math.min(dp[i - 1]![j]! + 1, dp[i]![j - 1]! + 1, dp[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return dp[a.length]![b.length]!;
}

/**
 * Validates the environment into a frozen Config. Every problem is reported at once, each naming its variable
 * and what it accepts; a variable with one of our prefixes that this build does not know is refused as a typo.
 */
export function loadConfig(env: NodeJS.ProcessEnv | Record<string, string | undefined>): Config {
  const problems: string[] = [];
  for (const name of Object.keys(env)) {
    if (PREFIXES.test(name) && !(VARIABLES as readonly string[]).includes(name)) {
      const guess = closest(name);
      problems.push(`${name}: unknown variable${guess ? `; did you mean ${guess}?` : ''}`);
    }
  }
  const picked = Object.fromEntries(VARIABLES.map((k) => [k, env[k]]));
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${String(issue.path[0] ?? '(config)')}: ${issue.message}`);
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;
  const url = e.ALERT_CHANNEL === 'dingtalk' ? e.DINGTALK_WEBHOOK : e.ALERT_CHANNEL === 'wecom' ? e.WECOM_WEBHOOK : e.ALERT_WEBHOOK_URL;
  const urlVar = e.ALERT_CHANNEL === 'dingtalk' ? 'DINGTALK_WEBHOOK' : e.ALERT_CHANNEL === 'wecom' ? 'WECOM_WEBHOOK' : 'ALERT_WEBHOOK_URL';
  if (url === null) throw new ConfigError([`${urlVar}: is required when ALERT_CHANNEL is ${e.ALERT_CHANNEL}`]);
  if (e.ALERT_CHANNEL === 'dingtalk' && !new URL(url).searchParams.get('access_token')) {
    throw new ConfigError(['DINGTALK_WEBHOOK: has no access_token; use the robot webhook, https://oapi.dingtalk.com/robot/send?access_token=...']);
  }
  const config: Config = {
    vod: {
      endpoint: e.VOD_ENDPOINT,
      domains: e.VOD_DOMAINS,
      objectTypes: e.VOD_OBJECT_TYPES,
      requestsPerSecond: e.VOD_REQUESTS_PER_SECOND,
      concurrency: e.VOD_CONCURRENCY,
      requestTimeoutMs: e.VOD_REQUEST_TIMEOUT_MS,
      maxPages: e.VOD_MAX_PAGES,
      overlapMs: e.VOD_SCAN_OVERLAP_SECONDS * 1000,
      method: e.VOD_HTTP_METHOD,
    },
    stuckAfterMs: e.STUCK_AFTER_MINUTES * 60_000,
    firstRunLookbackMs: e.FIRST_RUN_LOOKBACK_MINUTES * 60_000,
    stateFile: e.STATE_FILE,
    alert: {
      channel: e.ALERT_CHANNEL,
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
    },
    logLevel: e.LOG_LEVEL,
  };
  return deepFreeze(config);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
