import * as v from 'valibot';
import { DEFAULT_FAILURE_HINT } from '../notify/hints';
import { DEFAULT_VOD_ENDPOINT } from '../vod/client';
import { KNOWN_DESCRIPTIONS } from '../vod/descriptions';
import { OBJECT_TYPES } from '../vod/types';
import { blindAfterMinutes, everyMinutes, firstRunLookbackMinutes, scanOverlapSeconds } from './cadence';
import { decimal, docOf, httpUrl, int, list, listOf, oneOf, secretMap, text, type VarDoc, variable } from './vars';

/** A token copied from an example, not from the robot: `...`, `<token>`, `xxx`, `your_token`. */
const isPlaceholder = (token: string) => /[^0-9A-Za-z_-]/.test(token) || /^(x+|your[-_]?(token|key)|token|key|access[-_]?token|changeme)$/i.test(token);

const domainList = listOf(
  { default: 'all', accepts: 'comma-separated domains (matched against the ObjectPath host)' },
  (d) => /^[a-z0-9.-]{1,253}(:\d{1,5})?$/.test(d),
  (bad) => `${JSON.stringify(bad)} is not a domain; use comma-separated domain names, or leave empty for all`,
  (d) => d.toLowerCase(),
);

/** Every variable this build reads: the one source of the variable list, the typo check and the README table. */
export const schema = v.object({
  VOD_ENDPOINT: httpUrl({ default: DEFAULT_VOD_ENDPOINT, accepts: 'https URL (http only on loopback)' }, `the VOD endpoint, default ${DEFAULT_VOD_ENDPOINT}`),
  VOD_DOMAINS: domainList,
  VOD_OBJECT_TYPES: listOf(
    { default: OBJECT_TYPES.join(','), accepts: 'comma-separated subset' },
    (t) => (OBJECT_TYPES as readonly string[]).includes(t),
    (bad) => `${JSON.stringify(bad)} is not accepted; use a comma-separated subset of ${OBJECT_TYPES.join(',')}`,
  ),
  VOD_REQUESTS_PER_SECOND: int(5, 1, 100, '1-100; starts are spaced 5% wider than 1/rate, and halved for the rest of a run that meets Throttling'),
  VOD_CONCURRENCY: int(3, 1, 16, '1-16 requests in flight'),
  VOD_REQUEST_TIMEOUT_MS: int(5000, 200, 60_000, "200-60000; also never past the run's read deadline"),
  VOD_SCAN_OVERLAP_SECONDS: scanOverlapSeconds,
  VOD_HTTP_METHOD: oneOf(['GET', 'POST'] as const, 'GET'),
  VOD_MAX_PAGES: variable({ default: '(unused)', accepts: "accepted and ignored: reads are bounded by the run's time, not a page count" }, (value) =>
    value === undefined || value.trim() === '' ? null : value,
  ),
  MONITOR_EVERY_MINUTES: everyMinutes,
  STUCK_AFTER_MINUTES: int(30, 1, 24 * 60),
  FIRST_RUN_LOOKBACK_MINUTES: firstRunLookbackMinutes,
  BLIND_AFTER_MINUTES: blindAfterMinutes,
  STATE_FILE: text('.state/vod-refresh-monitor.json', 4096, 'a path; on Function Compute, on the OSS mount (see Deploy)'),
  ALERT_CHANNEL: oneOf(['dingtalk', 'webhook', 'wecom'] as const, 'dingtalk'),
  DINGTALK_WEBHOOK: httpUrl(
    { default: '(required for dingtalk)', accepts: 'https://oapi.dingtalk.com/robot/send?access_token=...' },
    'the robot webhook, https://oapi.dingtalk.com/robot/send?access_token=...',
    (u, refuse) => {
      const token = u.searchParams.get('access_token');
      if (!token) refuse('has no access_token; use the robot webhook, https://oapi.dingtalk.com/robot/send?access_token=...');
      else if (isPlaceholder(token)) refuse("has a placeholder for its access_token; paste the robot's own webhook (group settings › robots)");
    },
  ),
  DINGTALK_SECRET: variable({ default: 'none', accepts: "the robot's signing secret, SEC... (when 加签 is on)" }, (value, refuse): string | null => {
    if (value === undefined || value.trim() === '') return null;
    const s = value.trim();
    if (!/^SEC[0-9A-Za-z+/=_-]{8,}$/.test(s))
      return refuse("is not a DingTalk signing secret; use the robot's secret, which starts with SEC, or leave empty when signing is off");
    return s;
  }),
  DINGTALK_KEYWORDS: variable({ default: 'none', accepts: "the robot's keyword(s), comma-separated; the first is put in every title, all verbatim" }, (value) =>
    list(value),
  ),
  DINGTALK_AT_MOBILES: listOf(
    { default: 'none', accepts: 'mobiles to ring on failures, stuck rows and monitor problems' },
    (m) => /^\+?\d{5,20}$/.test(m),
    (bad) => `${JSON.stringify(bad)} is not a mobile number; use comma-separated digits`,
  ),
  DINGTALK_AT_USER_IDS: listOf(
    { default: 'none', accepts: 'DingTalk user ids to ring' },
    (m) => /^[A-Za-z0-9_$-]{1,64}$/.test(m),
    (bad) => `${JSON.stringify(bad)} is not a DingTalk user id; use comma-separated ids`,
  ),
  DINGTALK_AT_ALL_MIN_FAILURES: int(0, 0, 100_000, '0 (never), or ring @all when one message carries at least this many new failures'),
  ALERT_WEBHOOK_URL: httpUrl({ default: '(required for webhook)', accepts: 'any https URL that takes a JSON POST' }, 'the URL that receives the JSON alerts'),
  WECOM_WEBHOOK: httpUrl(
    { default: '(required for wecom)', accepts: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...' },
    'the WeCom group robot webhook, https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...',
    (u, refuse) => {
      const key = u.searchParams.get('key');
      if (!key) refuse('has no key=; use the WeCom group robot webhook, https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...');
      else if (isPlaceholder(key)) refuse("has a placeholder for its key; paste the group robot's own webhook");
    },
  ),
  ALERT_MAX_PER_MINUTE: int(20, 1, 20, "1-20 messages a minute per robot (DingTalk's limit)"),
  ALERT_TIMEOUT_MS: int(5000, 200, 30_000, "200-30000 per request to the robot; also never past the run's delivery deadline"),
  MONITOR_NAME: text('VOD refresh', 60),
  ALERT_HINT: text(DEFAULT_FAILURE_HINT, 500, 'the last line under failures'),
  AUTO_REFRESH: oneOf(['off', 'on'] as const, 'off'),
  AUTO_REFRESH_DESCRIPTIONS: listOf(
    { default: KNOWN_DESCRIPTIONS.join(','), accepts: 'comma-separated Descriptions to re-submit' },
    (d) => d.length > 0 && d.length <= 200,
    (bad) => `${JSON.stringify(bad)} is not a Description`,
  ),
  AUTO_REFRESH_MAX_RETRIES: int(1, 1, 5, '1-5 re-submissions per URL'),
  AUTO_REFRESH_DELAY_MINUTES: int(2, 0, 1440, '0-1440 minutes to wait after a failure before re-submitting'),
  AUTO_REFRESH_QUOTA_SHARE: decimal(0.1, 0.01, 0.5),
  ALERTING_CONFIG: text(
    '',
    4096,
    'a YAML file of receivers, routes, reminders, mutes and a digest (see "Routing, reminders, mutes and the daily digest"); read every run, so one on the OSS mount changes without a redeploy',
  ),
  ALERTING_SECRETS: secretMap({
    default: '',
    accepts: "a JSON object of NAME: value for the alerting file's ${NAME}s, so they reach the function without a line each in s.yaml",
  }),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
});

/** Every variable this build reads, in the schema's order. */
export const VARIABLES = Object.keys(schema.entries) as Array<keyof typeof schema.entries>;

/** Each variable's default and accepted values, for the README and `doctor`. */
export function variableDocs(): Array<{ name: string } & VarDoc> {
  return VARIABLES.map((name) => ({ name, ...(docOf(schema.entries[name]) ?? { default: '', accepts: '' }) }));
}
