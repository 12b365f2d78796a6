import { Command, CommanderError, Option } from 'commander';
import { Writable } from 'node:stream';
import { notifierFor } from '../alert/channels';
import { renderMessages } from '../alert/render';
import { domainOf, type AlertEvent } from '../alert/model';
import { ConfigError, loadConfig, type Config } from '../config';
import { credentialsFrom } from '../credentials';
import { fcRemote } from '../fc/remote';
import { createLogger } from '../log';
import { renderOptionsOf, type RunReport } from '../monitor';
import { realSleep } from '../ports';
import { envSecrets, makeRedactor } from '../redact';
import { FileStateStore } from '../state/file-store';
import { DEFAULT_RETRY } from '../retry';
import { PopCoreRefreshTaskApi } from '../vod/client';
import { VodError } from '../vod/errors';
import { createPacer } from '../vod/pacer';
import { TaskReader } from '../vod/reader';
import { OBJECT_TYPES, QUERY_STATUSES, type RefreshTask } from '../vod/types';
import { markdownToTerminal, parseSince, taskTable } from './format';

/** Exit codes, as documented in the README. */
export const EXIT = { ok: 0, problem: 1, usage: 2, remote: 3 } as const;

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Record<string, string | undefined>;
  readonly now: () => number;
  /** The handler to run for `run`: the one in dist/ by default. */
  readonly handlerFactory?: (env: Record<string, string | undefined>) => (event: unknown, context: unknown) => Promise<RunReport>;
}

class Exit extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

function config(io: CliIo): Config {
  try {
    return loadConfig(io.env);
  } catch (err) {
    if (err instanceof ConfigError) throw new Exit(EXIT.usage, err.message);
    throw err;
  }
}

function credentials(io: CliIo) {
  try {
    return credentialsFrom(undefined, io.env);
  } catch (err) {
    throw new Exit(EXIT.usage, (err as Error).message);
  }
}

function quietLogger(io: CliIo) {
  const redact = makeRedactor(envSecrets(io.env));
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  return createLogger({ level: 'silent', destination: sink, redact });
}

function reader(io: CliIo, cfg: Config, budgetMs = 120_000) {
  const api = new PopCoreRefreshTaskApi({ endpoint: cfg.vod.endpoint, credentials: credentials(io), timeoutMs: cfg.vod.requestTimeoutMs, method: cfg.vod.method });
  const r = new TaskReader({ api, pacer: createPacer(cfg.vod.concurrency, cfg.vod.requestsPerSecond), retryPolicy: DEFAULT_RETRY, now: io.now, sleep: realSleep, random: Math.random, logger: quietLogger(io), deadlineMs: io.now() + budgetMs, maxPages: cfg.vod.maxPages });
  return { api, reader: r };
}

/** What a VOD error code means for the person at the keyboard. */
export function vodAdvice(code: string): string {
  if (code.startsWith('InvalidAccessKeyId')) return 'the AccessKey ID is unknown or disabled: check ALIBABA_CLOUD_ACCESS_KEY_ID';
  if (code === 'SignatureDoesNotMatch') return 'the AccessKey secret does not match the ID: check ALIBABA_CLOUD_ACCESS_KEY_SECRET';
  if (code.startsWith('InvalidSecurityToken') || code === 'MissingSecurityToken') return 'STS keys need their token: set ALIBABA_CLOUD_SECURITY_TOKEN, and renew expired keys';
  if (code === 'OperationDenied') return 'VOD is not activated on this account';
  if (code === 'OperationDenied.Suspended') return 'the account is in arrears and VOD is suspended: top up the account';
  if (code === 'Forbidden.RAM' || code.startsWith('Forbidden')) return 'the RAM user or role may not call vod:DescribeVodRefreshTasks: attach deploy/ram-policy.json';
  if (code === 'InvalidTimeStamp.Expired') return 'this machine\'s clock is more than 15 minutes off: sync it (NTP)';
  if (code.startsWith('Throttling')) return 'the API throttled every attempt: lower VOD_REQUESTS_PER_SECOND or try again later';
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'RequestTimeout', 'ECONNRESET'].includes(code)) return 'the VOD endpoint cannot be reached: check VOD_ENDPOINT and the network';
  return 'see the troubleshooting table in the README';
}

function sampleEvents(nowMs: number): AlertEvent[] {
  const at = new Date(nowMs - 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return [
    { kind: 'failed', key: `test:${nowMs}`, task: { taskId: '0000000000', objectPath: 'http://example.com/vod-refresh-monitor/test-alert.mp4', objectType: 'file', status: 'Failed', description: 'Origin Timeout', creationTime: at, domain: 'example.com' } },
  ];
}

async function cmdRun(io: CliIo, opts: { dryRun?: boolean; json?: boolean }) {
  config(io);
  const factory = io.handlerFactory;
  if (!factory) throw new Exit(EXIT.usage, 'run needs the built handler: run `npm run build` first');
  const handler = factory(io.env);
  const event = Buffer.from(JSON.stringify({ triggerTime: new Date(io.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'), triggerName: 'cli', payload: JSON.stringify({ dryRun: Boolean(opts.dryRun) }) }));
  const report = await handler(event, { requestId: `cli-${io.now()}`, function: { name: 'vod-refresh-monitor', timeout: 300 } });
  if (opts.json) io.stdout(JSON.stringify(report, null, 2));
  else {
    io.stdout(summary(report));
    for (const m of report.preview ?? []) io.stdout(`\n--- would send ---\n${markdownToTerminal(m.text)}\n`);
  }
  return report.status === 'ok' || report.status === 'duplicate' ? EXIT.ok : EXIT.problem;
}

/** One line per fact of a run report, for people. */
export function summary(r: RunReport): string {
  const lines = [
    `status: ${r.status}${r.dryRun ? ' (dry run: nothing sent, no state written)' : ''}${r.reason ? ` - ${r.reason}` : ''}`,
    `tasks scanned: ${r.tasksScanned} (${r.scan.mode}, ${r.apiCalls} API call${r.apiCalls === 1 ? '' : 's'}, ${r.durationMs} ms)`,
    `failures: ${r.failures.new} new, ${r.failures.seen} seen${r.failures.backlog ? `, ${r.failures.backlog} earlier (counted)` : ''}; stuck: ${r.stuck}; recovered: ${r.recovered}`,
    `alerts: ${r.alerts.messagesSent} message(s) sent, ${r.alerts.delivered} alert(s) delivered, ${r.alerts.pending} pending${r.alerts.error ? ` - ${r.alerts.error.reason}` : ''}`,
    `monitor health: ${r.health}${r.scan.error ? ` - ${r.scan.error.code}: ${r.scan.error.message} (${vodAdvice(r.scan.error.code)})` : ''}`,
  ];
  if (r.stateError) lines.push(`state: ${r.stateError}`);
  return lines.join('\n');
}

async function cmdTasks(io: CliIo, opts: { since: string; until?: string; status?: string; type?: string; domain?: string; json?: boolean }) {
  const cfg = config(io);
  const now = io.now();
  let startMs: number;
  let endMs: number;
  try {
    startMs = parseSince(opts.since, now);
    endMs = opts.until ? parseSince(opts.until, now) : now;
  } catch (err) {
    throw new Exit(EXIT.usage, (err as Error).message);
  }
  const { reader: r } = reader(io, cfg);
  // The API filters by Status and DomainName only together with ObjectType; otherwise filter here.
  const serverSide = opts.type !== undefined;
  const result = await r.scan({
    startMs,
    endMs,
    filters: serverSide ? { objectType: opts.type, ...(opts.status ? { status: opts.status } : {}), ...(opts.domain ? { domainName: opts.domain } : {}) } : {},
    onProgress: (read, total) => {
      if (total > 1) io.stderr(`read page ${read} of ${total}`);
    },
  });
  let tasks: RefreshTask[] = result.tasks;
  if (!serverSide) {
    if (opts.status) tasks = tasks.filter((t) => t.status === opts.status);
    if (opts.domain) tasks = tasks.filter((t) => domainOf(t.objectPath) === opts.domain!.toLowerCase());
  }
  if (opts.json) io.stdout(JSON.stringify(tasks, null, 2));
  else io.stdout(taskTable(tasks));
  io.stderr(`${tasks.length} task(s) from ${result.pagesRead} page(s)${result.skipped.length ? `; ${result.skipped.length} malformed row(s) skipped` : ''}`);
  return EXIT.ok;
}

async function cmdTestAlert(io: CliIo) {
  const cfg = config(io);
  const notifier = notifierFor(cfg, io.now);
  const [message] = renderMessages(sampleEvents(io.now()), { ...renderOptionsOf(cfg, notifier.maxBodyBytes), monitorName: `${cfg.alert.monitorName} (test alert)` }, (m) => notifier.measure(m));
  const result = await notifier.send(message!);
  if (result.ok) {
    io.stdout(`${cfg.alert.channel} accepted the test alert (errcode 0). Check the group: it should show "${message!.title}".`);
    return EXIT.ok;
  }
  io.stdout(`${cfg.alert.channel} refused the test alert: ${result.reason} (code ${result.code}).`);
  return EXIT.problem;
}

async function cmdDoctor(io: CliIo, opts: { send: boolean }) {
  const ok = (s: string) => io.stdout(`  ok    ${s}`);
  const bad = (s: string) => io.stdout(`  FAIL  ${s}`);
  let failures = 0;
  io.stdout('configuration');
  let cfg: Config;
  try {
    cfg = loadConfig(io.env);
    ok(`valid (channel ${cfg.alert.channel}, ${cfg.vod.domains.length ? cfg.vod.domains.join(', ') : 'all domains'}, stuck after ${cfg.stuckAfterMs / 60_000} min)`);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) bad(p);
    io.stdout('\nFix the configuration first; the other checks need it.');
    return EXIT.usage;
  }
  io.stdout('credentials and the VOD API');
  try {
    const { reader: r } = reader(io, cfg, 20_000);
    const page = await r.page({ startTime: new Date(io.now() - 3600_000), endTime: new Date(io.now()), pageSize: 1, pageNumber: 1 });
    ok(`DescribeVodRefreshTasks answered: ${page.totalCount} task(s) in the last hour (${cfg.vod.endpoint})`);
  } catch (err) {
    failures++;
    if (err instanceof Exit) bad(err.message);
    else if (err instanceof VodError) bad(`${err.code}: ${err.message} - ${vodAdvice(err.code)}`);
    else bad(`unexpected error: ${(err as Error).name}`);
  }
  io.stdout('alert channel');
  if (cfg.alert.channel === 'dingtalk') {
    const u = new URL(cfg.alert.url!);
    if (cfg.alert.secret) ok('signing is on (DINGTALK_SECRET set)');
    else io.stdout('  note  signing is off: set DINGTALK_SECRET if the robot uses 加签');
    if (!cfg.alert.keywords.length) io.stdout('  note  no DINGTALK_KEYWORDS: if the robot requires a keyword, messages will be refused (310000)');
    if (u.hostname !== 'oapi.dingtalk.com' && !['127.0.0.1', 'localhost'].includes(u.hostname)) io.stdout(`  note  the webhook host is ${u.hostname}, not oapi.dingtalk.com`);
  }
  if (opts.send) {
    const notifier = notifierFor(cfg, io.now);
    const check = { title: `${cfg.alert.keywords[0] ?? ''} ${cfg.alert.monitorName}: doctor check`.trim(), text: `${cfg.alert.keywords.join(' ')} ${cfg.alert.monitorName}: doctor check, no action needed.`.trim(), atMobiles: [], atUserIds: [], isAtAll: false, keys: [], unlisted: 0 };
    const result = await notifier.send(check);
    if (result.ok) ok('the robot accepted a check message (no one was mentioned)');
    else {
      failures++;
      bad(`the robot refused the check message: ${result.reason} (code ${result.code})`);
    }
  } else io.stdout('  skip  no message sent (--no-send)');
  io.stdout('state');
  const store = new FileStateStore(cfg.stateFile);
  try {
    const s = await store.load();
    if (!s) ok(`no state yet at ${cfg.stateFile}: the next run is a first run (failures older than ${cfg.firstRunLookbackMs / 60_000} min are counted, not listed)`);
    else {
      ok(`${cfg.stateFile}: last run ${s.lastRun ? new Date(s.lastRun.atMs).toISOString() : 'never'}, ${Object.keys(s.watching).length} unfinished task(s) watched, ${s.outbox.length} alert(s) waiting`);
      if (s.health.status === 'down') {
        failures++;
        bad(`the monitor could not read tasks since ${new Date(s.health.sinceMs).toISOString()}: ${s.health.code}`);
      }
      if (s.outbox.length) io.stdout(`  note  ${s.outbox.length} alert(s) wait for delivery; they go out first on the next run`);
    }
  } catch (err) {
    failures++;
    bad(`${(err as Error).message}`);
  }
  io.stdout(failures ? `\n${failures} problem(s) found.` : '\nAll checks passed.');
  return failures ? EXIT.problem : EXIT.ok;
}

function remote(io: CliIo) {
  const endpoint = io.env.FC_ENDPOINT;
  const loopback = endpoint !== undefined && /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(endpoint);
  try {
    return fcRemote({ credentials: credentials(io), region: io.env.FC_REGION || 'cn-shanghai', accountId: io.env.FC_ACCOUNT_ID, endpoint, protocol: loopback ? 'http' : 'https' });
  } catch (err) {
    throw new Exit(EXIT.usage, (err as Error).message);
  }
}

function remoteError(err: unknown): Exit {
  const e = err as { code?: string; data?: { Code?: string }; message?: string };
  const code = e.data?.Code ?? e.code ?? 'error';
  return new Exit(EXIT.remote, `Function Compute refused the request: ${code}`);
}

async function cmdStatus(io: CliIo, opts: { function: string; json?: boolean }) {
  let s;
  try {
    s = await remote(io).status(opts.function);
  } catch (err) {
    throw err instanceof Exit ? err : remoteError(err);
  }
  if (opts.json) {
    io.stdout(JSON.stringify(s, null, 2));
    return s.exists && s.timers.some((t) => t.enabled) ? EXIT.ok : EXIT.problem;
  }
  if (!s.exists) {
    io.stdout(`function ${opts.function} does not exist in ${io.env.FC_REGION || 'cn-shanghai'}: deploy it with \`s deploy\``);
    return EXIT.problem;
  }
  io.stdout(`function ${s.functionName}: ${s.state ?? 'unknown state'}, ${s.runtime}, ${s.handler}, ${s.memorySize} MB, timeout ${s.timeout} s, last modified ${s.lastModifiedTime}`);
  if (!s.timers.length) io.stdout('timer: none - the function never runs on its own; check the triggers in s.yaml');
  for (const t of s.timers) io.stdout(`timer ${t.name}: ${t.enabled ? 'enabled' : 'DISABLED'}, ${t.cron}`);
  io.stdout('last run: the Function Compute API does not report it; see `doctor` against the state file, or the function\'s SLS logstore (event "run-report").');
  return s.timers.some((t) => t.enabled) ? EXIT.ok : EXIT.problem;
}

async function cmdInvoke(io: CliIo, opts: { function: string; json?: boolean }) {
  let out;
  try {
    out = await remote(io).invoke(opts.function, { dryRun: true });
  } catch (err) {
    throw err instanceof Exit ? err : remoteError(err);
  }
  if (!out.ok) {
    io.stdout(`the function failed: ${JSON.stringify(out.result)}`);
    return EXIT.problem;
  }
  const report = out.result as RunReport;
  if (opts.json || typeof report !== 'object' || report === null || !('status' in report)) io.stdout(JSON.stringify(out.result, null, 2));
  else {
    io.stdout(summary(report));
    for (const m of report.preview ?? []) io.stdout(`\n--- would send ---\n${markdownToTerminal(m.text)}\n`);
  }
  return EXIT.ok;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command()
    .name('vod-refresh-monitor')
    .description('Watch VOD CDN refresh and preload tasks; alert on-call in DingTalk when one fails.\nConfiguration comes from the same environment variables as the function (see README).')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s.trimEnd()), writeErr: (s) => io.stderr(s.trimEnd()) })
    .addHelpText('after', '\nExit codes: 0 ok, 1 a problem was found (alert refused, check failed, run degraded), 2 bad usage or configuration, 3 a remote service refused or could not be reached.');
  program
    .command('run')
    .description('one monitoring pass with the same configuration as the function')
    .option('--dry-run', 'print the alert instead of sending it; write no state')
    .option('--json', 'print the run report as JSON')
    .action(async (o) => {
      code = await cmdRun(io, o);
    });
  program
    .command('tasks')
    .description('list refresh and preload tasks for a window')
    .option('--since <when>', 'start: a duration back from now (30m, 2h, 3d) or a UTC time', '1h')
    .option('--until <when>', 'end: a duration back from now or a UTC time (default now)')
    .addOption(new Option('--status <status>', 'only tasks with this status').choices([...QUERY_STATUSES, 'Pending']))
    .addOption(new Option('--type <type>', 'only this object type').choices([...OBJECT_TYPES]))
    .option('--domain <domain>', 'only this domain')
    .option('--json', 'print JSON instead of a table')
    .action(async (o) => {
      code = await cmdTasks(io, o);
    });
  program
    .command('test-alert')
    .description('send a sample alert to the configured robot and explain its answer')
    .action(async () => {
      code = await cmdTestAlert(io);
    });
  program
    .command('doctor')
    .description('check the configuration, credentials, webhook and signing, and the state file')
    .option('--no-send', 'do not send the check message to the robot')
    .action(async (o) => {
      code = await cmdDoctor(io, o);
    });
  program
    .command('status')
    .description('is the deployed function there, and is its timer enabled (Function Compute 3.0 API)')
    .option('--function <name>', 'function name', io.env.FC_FUNCTION_NAME || 'vod-refresh-monitor')
    .option('--json', 'print JSON')
    .action(async (o) => {
      code = await cmdStatus(io, o);
    });
  program
    .command('invoke')
    .description('run the deployed function once with {"dryRun": true} and show its report')
    .option('--function <name>', 'function name', io.env.FC_FUNCTION_NAME || 'vod-refresh-monitor')
    .option('--json', 'print the report as JSON')
    .action(async (o) => {
      code = await cmdInvoke(io, o);
    });
  for (const c of program.commands) c.exitOverride().configureOutput({ writeOut: (s) => io.stdout(s.trimEnd()), writeErr: (s) => io.stderr(s.trimEnd()) });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (err instanceof Exit) {
      io.stderr(err.message);
      return err.code;
    }
    if (err instanceof VodError) {
      io.stderr(`VOD API: ${err.code}: ${err.message} - ${vodAdvice(err.code)}`);
      return EXIT.remote;
    }
    const redact = makeRedactor(envSecrets(io.env));
    io.stderr(`error: ${redact((err as Error).message ?? String(err))}`);
    return EXIT.problem;
  }
  return code;
}
