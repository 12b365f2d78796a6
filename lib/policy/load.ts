import { promises as fs } from 'node:fs';
import { load as parseYaml } from 'js-yaml';
import * as v from 'valibot';
import { type Config, ConfigError, receiverUrlProblem } from '../config';
import { inert } from '../notify/escape';
import { type AlertingFile, alertingSchema, ENV_REF, type Match, WEEKDAYS } from './schema';

/** One place alerts can go: a robot or webhook with its own settings, rate limit and outbox. */
export interface Receiver {
  readonly name: string;
  readonly alert: Config['alert'];
}

export interface Mute {
  readonly name: string;
  readonly match: Match;
  readonly reason: string | null;
  /** A period: muted until this time. */
  readonly untilMs: number | null;
  /** A recurring window, Asia/Shanghai: days of the week (0 = Sunday) and minutes of the day. */
  readonly weekly: { readonly days: readonly number[]; readonly fromMin: number; readonly toMin: number } | null;
}

/** Where each alert goes, and what else the alerting file asks for. */
export interface AlertingPlan {
  readonly receivers: ReadonlyMap<string, Receiver>;
  readonly routes: ReadonlyArray<{ readonly match: Match; readonly receiver: string }>;
  readonly defaultReceiver: string;
  readonly reminders: { readonly everyMs: number; readonly max: number } | null;
  readonly mutes: readonly Mute[];
  readonly digest: { readonly atMin: number; readonly receivers: readonly string[] } | null;
  /** The file the plan came from; null for the single robot of the environment. */
  readonly source: string | null;
}

/** Without an alerting file: one receiver, the robot of DINGTALK_* (or WECOM_WEBHOOK / ALERT_WEBHOOK_URL). */
export function singleRobot(config: Config): AlertingPlan {
  return {
    receivers: new Map([['default', { name: 'default', alert: config.alert }]]),
    routes: [],
    defaultReceiver: 'default',
    reminders: null,
    mutes: [],
    digest: null,
    source: null,
  };
}

const toMin = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const toMs = (d: string) => Number(d.slice(0, -1)) * { m: 60_000, h: 3600_000, d: 86_400_000 }[d.trim().slice(-1) as 'm' | 'h' | 'd'];

/**
 * What a schema issue says, without the value it received: a webhook pasted where a `${NAME}` belongs must not reach a
 * notice, a log line or the state. Our own messages never quote values; the library's defaults do.
 */
function issueText(i: v.BaseIssue<unknown>): string {
  const last = i.path?.at(-1);
  if (i.type === 'strict_object' && last?.origin === 'key') {
    if (i.expected === 'never') {
      const accepted = keysAt(i.path!.slice(0, -1).map((p) => p.key));
      return `unknown key${accepted.length ? `; accepted here: ${accepted.join(', ')}` : ''}`;
    }
    return 'is required';
  }
  return /received/i.test(i.message) ? `expected ${i.expected ?? i.type}` : i.message;
}

type Node = { readonly entries?: Record<string, Node>; readonly item?: Node; readonly wrapped?: Node };

/** The keys the alerting file accepts at a path (object keys and array indexes), for "unknown key" problems. */
function keysAt(path: readonly unknown[]): string[] {
  const unwrap = (n: Node | undefined) => {
    let x = n;
    while (x?.wrapped) x = x.wrapped;
    return x;
  };
  let node = unwrap(alertingSchema as Node);
  for (const key of path) node = unwrap(typeof key === 'number' ? node?.item : node?.entries?.[String(key)]);
  return Object.keys(node?.entries ?? {});
}

/** At most three problems, each bounded and inert, for a notice in a message; `doctor` prints them all. */
export function problemSummary(problems: readonly string[]): string {
  const shown = problems.slice(0, 3).map((p) => inert(p, 200));
  const more = problems.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? `; and ${more} more (\`npx vod-refresh-monitor doctor\` lists them all)` : ''}`;
}

/** Reads, validates and resolves an alerting file; a ConfigError names the file, the field and what it accepts. */
export async function loadAlerting(file: string, config: Config, env: Record<string, string | undefined>): Promise<AlertingPlan> {
  const where = `ALERTING_CONFIG (${file})`;
  let raw: unknown;
  try {
    raw = parseYaml(await fs.readFile(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { reason?: string; mark?: { line: number } };
    const flowHint = /flow/.test(e.reason ?? '') ? ' (inside { } or [ ], put each ${NAME} in quotes)' : '';
    throw new ConfigError(
      [
        `${where}: ${e.code ? `cannot be read (${e.code})` : `is not YAML: ${e.reason ?? 'syntax error'}${e.mark ? ` at line ${e.mark.line + 1}` : ''}${flowHint}`}`,
      ],
      { cause: err },
    );
  }
  const parsed = v.safeParse(alertingSchema, raw);
  if (!parsed.success) throw new ConfigError(parsed.issues.slice(0, 10).map((i) => `${where}: ${v.getDotPath(i) ?? '(top)'}: ${issueText(i)}`));
  return resolve(parsed.output, file, config, env);
}

type Env = Record<string, string | undefined>;

/** Each receiver with its secrets read from the environment; problems are added to `problems`. */
function resolveReceivers(f: AlertingFile, config: Config, env: Env, where: string, problems: string[]): Map<string, Receiver> {
  const secret = (ref: string | undefined, field: string): string | null => {
    if (ref === undefined) return null;
    const name = ENV_REF.exec(ref)![1]!;
    const value = env[name] || config.alertingSecrets[name];
    if (!value) problems.push(`${where}: ${field}: ${ref} is not set in the environment (nor in ALERTING_SECRETS)`);
    return value || null;
  };
  /** A URL checked as its environment variable is (the problem names the `${NAME}`, never the value). */
  const checked = (channel: 'dingtalk' | 'wecom' | 'webhook', url: string | null, field: string): string => {
    const problem = url ? receiverUrlProblem(channel, url) : null;
    if (problem) problems.push(`${where}: ${field} ${problem}`);
    return url ?? '';
  };
  const receivers = new Map<string, Receiver>();
  f.receivers.forEach((r, i) => {
    const at = `receivers.${i}`;
    const base = { ...config.alert, maxPerMinute: r.maxPerMinute ?? config.alert.maxPerMinute, secret: null, keywords: [] as string[] };
    const none = { atMobiles: [] as string[], atUserIds: [] as string[], atAllMinFailures: 0 };
    if (r.dingtalk) {
      const d = r.dingtalk;
      const url = checked('dingtalk', secret(d.webhook, `${at}.dingtalk.webhook`), `${at}.dingtalk.webhook: ${d.webhook}`);
      const sec = secret(d.secret, `${at}.dingtalk.secret`);
      if (sec && !sec.startsWith('SEC')) problems.push(`${where}: ${at}.dingtalk.secret: ${d.secret} does not start with SEC`);
      const mentions = { atMobiles: d.atMobiles ?? [], atUserIds: d.atUserIds ?? [], atAllMinFailures: d.atAllMinFailures ?? 0 };
      receivers.set(r.name, { name: r.name, alert: { ...base, ...mentions, channel: 'dingtalk', url, secret: sec, keywords: d.keywords ?? [] } });
    } else if (r.wecom) {
      const url = checked('wecom', secret(r.wecom.webhook, `${at}.wecom.webhook`), `${at}.wecom.webhook: ${r.wecom.webhook}`);
      receivers.set(r.name, { name: r.name, alert: { ...base, ...none, channel: 'wecom', url } });
    } else if (r.webhook) {
      const url = checked('webhook', secret(r.webhook.url, `${at}.webhook.url`), `${at}.webhook.url: ${r.webhook.url}`);
      receivers.set(r.name, { name: r.name, alert: { ...base, ...none, channel: 'webhook', url } });
    }
  });
  return receivers;
}

/** Adds a problem for each name used twice in a list. */
function usedOnce(names: ReadonlyArray<string | undefined>, field: (i: number) => string, where: string, problems: string[]): void {
  names.forEach((n, i) => {
    if (n !== undefined && names.indexOf(n) !== i) problems.push(`${where}: ${field(i)}: ${n} is used twice`);
  });
}

function mutesOf(f: AlertingFile): Mute[] {
  return (f.mutes ?? []).map((m, i) => ({
    // A name no user can write (`#`), so an unnamed mute never shares its name with a named one.
    name: m.name ?? `mute#${i + 1}`,
    match: m.match,
    reason: m.reason ?? null,
    untilMs: m.until ? Date.parse(m.until) : null,
    weekly: m.weekly ? { days: m.weekly.days.map((d) => WEEKDAYS.indexOf(d)), fromMin: toMin(m.weekly.from), toMin: toMin(m.weekly.to) } : null,
  }));
}

function resolve(f: AlertingFile, file: string, config: Config, env: Env): AlertingPlan {
  const problems: string[] = [];
  const where = `ALERTING_CONFIG (${file})`;
  const receivers = resolveReceivers(f, config, env, where, problems);
  const known = (name: string, field: string) => {
    if (!receivers.has(name))
      problems.push(`${where}: ${field}: no receiver is named ${JSON.stringify(name)} (receivers: ${[...receivers.keys()].join(', ')})`);
    return name;
  };
  known(f.route.receiver, 'route.receiver');
  const routes = (f.route.routes ?? []).map((r, i) => ({ match: r.match, receiver: known(r.receiver, `route.routes.${i}.receiver`) }));
  const digestReceivers = f.digest?.receivers?.map((n, i) => known(n, `digest.receivers.${i}`)) ?? [...receivers.keys()];
  usedOnce(
    f.receivers.map((r) => r.name),
    (i) => `receivers.${i}.name`,
    where,
    problems,
  );
  usedOnce(f.digest?.receivers ?? [], (i) => `digest.receivers.${i}`, where, problems);
  usedOnce(
    (f.mutes ?? []).map((m) => m.name),
    (i) => `mutes.${i}.name`,
    where,
    problems,
  );
  if (problems.length) throw new ConfigError(problems);
  return {
    receivers,
    routes,
    defaultReceiver: f.route.receiver,
    reminders: f.reminders ? { everyMs: toMs(f.reminders.every), max: f.reminders.max } : null,
    mutes: mutesOf(f),
    digest: f.digest ? { atMin: toMin(f.digest.at), receivers: digestReceivers } : null,
    source: file,
  };
}
