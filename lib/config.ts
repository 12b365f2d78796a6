import * as v from 'valibot';
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

type Refuse = (message: string) => never;

/** A variable read by `parse`, which calls `refuse` with the accepted values when the text will not do. */
function variable<T>(parse: (value: string | undefined, refuse: Refuse) => T) {
  return v.pipe(
    v.unknown(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      class Refused extends Error {}
      const value = dataset.value;
      if (value !== undefined && typeof value !== 'string') {
        addIssue({ message: 'must be text' });
        return NEVER;
      }
      try {
        return parse(value, (message) => {
          throw new Refused(message);
        });
      } catch (err) {
        if (!(err instanceof Refused)) throw err;
        addIssue({ message: err.message });
        return NEVER;
      }
    }),
  );
}

/** A comma-separated list whose every item must pass `valid`; `refuse` words the error for the first that fails. */
const listOf = (valid: (item: string) => boolean, refuseItem: (bad: string) => string, normalize: (item: string) => string = (x) => x) =>
  variable((value, refuse) => {
    const items = list(value).map(normalize);
    const bad = items.find((item) => !valid(item));
    return bad === undefined ? items : refuse(refuseItem(bad));
  });

const int = (dflt: number, min: number, max: number) =>
  variable((value, refuse) => {
    if (value === undefined || value.trim() === '') return dflt;
    const n = Number(value);
    if (!/^\s*-?\d+\s*$/.test(value) || n < min || n > max) return refuse(`${JSON.stringify(value)} is not accepted; use a whole number from ${min} to ${max} (default ${dflt})`);
    return n;
  });

const oneOf = <T extends string>(choices: readonly T[], dflt: T) =>
  variable((value, refuse): T => {
    if (value === undefined || value.trim() === '') return dflt;
    return (choices as readonly string[]).includes(value) ? (value as T) : refuse(`use ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)} (default ${dflt})`);
  });

const httpUrl = (what: string) =>
  variable((value, refuse): string | null => {
    if (value === undefined || value.trim() === '') return null;
    let u: URL;
    try {
      u = new URL(value.trim());
    } catch {
      return refuse(`is not a URL; use ${what}`);
    }
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))) {
      return refuse(`must be https (http only on loopback); use ${what}`);
    }
    return value.trim();
  });

const text = (dflt: string, max: number) => variable((value) => (value && value.trim().slice(0, max)) || dflt);

const schema = v.object({
  VOD_ENDPOINT: httpUrl(`the VOD endpoint, default ${DEFAULT_VOD_ENDPOINT}`),
  VOD_DOMAINS: listOf(
    (d) => /^[a-z0-9.-]{1,253}(:\d{1,5})?$/.test(d),
    (bad) => `${JSON.stringify(bad)} is not a domain; use comma-separated domain names, or leave empty for all`,
    (d) => d.toLowerCase(),
  ),
  VOD_OBJECT_TYPES: listOf(
    (t) => (OBJECT_TYPES as readonly string[]).includes(t),
    (bad) => `${JSON.stringify(bad)} is not accepted; use a comma-separated subset of ${OBJECT_TYPES.join(',')}`,
  ),
  VOD_REQUESTS_PER_SECOND: int(5, 1, 100),
  VOD_CONCURRENCY: int(3, 1, 16),
  VOD_REQUEST_TIMEOUT_MS: int(5000, 200, 60_000),
  VOD_MAX_PAGES: int(400, 1, 10_000),
  VOD_SCAN_OVERLAP_SECONDS: int(300, 0, 3600),
  VOD_HTTP_METHOD: oneOf(['GET', 'POST'] as const, 'GET'),
  STUCK_AFTER_MINUTES: int(30, 1, 24 * 60),
  FIRST_RUN_LOOKBACK_MINUTES: int(60, 0, 3 * 24 * 60),
  STATE_FILE: text('.state/vod-refresh-monitor.json', 4096),
  ALERT_CHANNEL: oneOf(['dingtalk', 'webhook', 'wecom'] as const, 'dingtalk'),
  DINGTALK_WEBHOOK: httpUrl('the robot webhook, https://oapi.dingtalk.com/robot/send?access_token=...'),
  DINGTALK_SECRET: variable((value, refuse): string | null => {
    if (value === undefined || value.trim() === '') return null;
    if (/\s/.test(value.trim()) || value.trim().length < 8) return refuse('is not a signing secret; use the robot\'s SEC... secret, or leave empty when signing is off');
    return value.trim();
  }),
  DINGTALK_KEYWORDS: variable((value) => list(value)),
  DINGTALK_AT_MOBILES: listOf((m) => /^\+?\d{5,20}$/.test(m), (bad) => `${JSON.stringify(bad)} is not a mobile number; use comma-separated digits`),
  DINGTALK_AT_USER_IDS: listOf((m) => /^[A-Za-z0-9_$-]{1,64}$/.test(m), (bad) => `${JSON.stringify(bad)} is not a DingTalk user id; use comma-separated ids`),
  DINGTALK_AT_ALL_MIN_FAILURES: int(0, 0, 100_000),
  ALERT_WEBHOOK_URL: httpUrl('the URL that receives the JSON alerts'),
  WECOM_WEBHOOK: httpUrl('the WeCom group robot webhook, https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...'),
  ALERT_MAX_PER_MINUTE: int(20, 1, 20),
  ALERT_TIMEOUT_MS: int(5000, 200, 30_000),
  MONITOR_NAME: text('VOD refresh', 60),
  ALERT_HINT: text(DEFAULT_HINT, 500),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
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
  const parsed = v.safeParse(schema, picked);
  if (!parsed.success) {
    for (const issue of parsed.issues) problems.push(`${String(issue.path?.[0]?.key ?? '(config)')}: ${issue.message}`);
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  const e = parsed.output;
  const url = e.ALERT_CHANNEL === 'dingtalk' ? e.DINGTALK_WEBHOOK : e.ALERT_CHANNEL === 'wecom' ? e.WECOM_WEBHOOK : e.ALERT_WEBHOOK_URL;
  const urlVar = e.ALERT_CHANNEL === 'dingtalk' ? 'DINGTALK_WEBHOOK' : e.ALERT_CHANNEL === 'wecom' ? 'WECOM_WEBHOOK' : 'ALERT_WEBHOOK_URL';
  if (url === null) throw new ConfigError([`${urlVar}: is required when ALERT_CHANNEL is ${e.ALERT_CHANNEL}`]);
  if (e.ALERT_CHANNEL === 'dingtalk' && !new URL(url).searchParams.get('access_token')) {
    throw new ConfigError(['DINGTALK_WEBHOOK: has no access_token; use the robot webhook, https://oapi.dingtalk.com/robot/send?access_token=...']);
  }
  const config: Config = {
    vod: {
      endpoint: e.VOD_ENDPOINT ?? DEFAULT_VOD_ENDPOINT,
      domains: e.VOD_DOMAINS,
      objectTypes: e.VOD_OBJECT_TYPES.length ? (e.VOD_OBJECT_TYPES as ObjectType[]) : [...OBJECT_TYPES],
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
