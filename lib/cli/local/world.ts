import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DingTalkSim, type SimRobot, startDingTalkSim } from '../../../sim/dingtalk/server';
import { type DeployedFunction, type DeployedTimer, readSYaml } from '../../../sim/fc/s-yaml';
import { type FcSim, type SimFunction, startFcSim } from '../../../sim/fc/server';
import { seededRandom } from '../../../sim/random';
import { startVodSim, type VodSim } from '../../../sim/vod/server';
import { seedHistory } from '../../../sim/vod/store';
import { type DemoActions, demoActions } from './actions';
import { SAMPLE_RECEIVERS, sampleAlerting } from './alerting';

type Factory = (o: {
  env: Record<string, string>;
  now: () => number;
  logDestination: { write(line: string): unknown };
}) => (event: Buffer, context: unknown) => Promise<unknown>;
/** The built bundle (dist/index.js), as Function Compute loads it. */
type Bundle = Record<string, Factory | undefined>;

/** The simulators `local` runs, and what the other commands need to reach them. */
export interface LocalWorld {
  /** Variable, value: every setting the other commands need. */
  readonly exports: Array<[string, string]>;
  /** The monitor as s.yaml deploys it: name, memory, timeout, and its timer. */
  readonly monitor: DeployedFunction & { readonly timer: DeployedTimer };
  readonly deployedStateFile: string;
  /** The alerting file the monitor reads (`--alerting`), or null. */
  readonly alertingFile: string | null;
  readonly stuckAfterMinutes: number;
  /** Make a URL fail, hang, recover, or a merged batch with failures, now. */
  readonly actions: DemoActions;
  /** Every timer trigger of s.yaml (the monitor's, the watchdog's …), each able to fire its function at a mark. */
  readonly timers: ReadonlyArray<{ readonly functionName: string; readonly timer: DeployedTimer; fire(markMs: number): Promise<unknown> }>;
  /**
   * One run of the "deployed" monitor: the timer's event at its mark `markMs`, or, without one, a run by hand (no
   * triggerTime, as an invocation from the console: never taken for a timer event already handled).
   */
  tick(markMs?: number): Promise<unknown>;
  close(): Promise<void>;
}

/** How `local` starts: which bundle and s.yaml, how much history, where logs go, and the user's environment. */
export interface LocalOptions {
  readonly bundlePath: string;
  /** The text of s.yaml: memory, timeout and the timer's cron come from it. */
  readonly sYaml: string;
  readonly rows: number;
  /** Write and use a sample alerting file (routing and a mute). */
  readonly alerting?: boolean;
  /** The user's environment: s.yaml's ${env(...)} and MONITOR_EVERY_MINUTES, STUCK_AFTER_MINUTES come from it. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where the simulated functions' JSON log lines and the robots' receipts go. */
  readonly log: (line: string) => void;
  /** One clock for the simulators and the functions (real time by default; tests move it). */
  readonly now?: () => number;
}

const DOMAINS = ['video.example.com', 'vod.example.cn', 'media.example.net'];
const ACCOUNT_ID = '1234567890123456';
/** A URL is stuck after this many minutes here (unless STUCK_AFTER_MINUTES is exported), so that `h` shows soon. */
const LOCAL_STUCK_AFTER_MINUTES = '2';
const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A 3-day history of `rows` rows with failures, and one merged batch (40 URLs under one TaskId, 3 of them failed) 20
 * minutes ago. The few rows still unfinished finish within minutes, so that a stuck alert is one you asked for.
 */
function seed(vod: VodSim, rows: number, nowMs: number): void {
  const random = seededRandom(7);
  for (const row of seedHistory(vod.store, { nowMs, count: rows, random, failureRate: 0.04, domains: DOMAINS }))
    if (row.Status === 'Refreshing' || row.Status === 'Pending')
      vod.store.schedule(row.TaskId, row.ObjectPath, nowMs + 60_000 + random() * 120_000, { Status: 'Complete' });
  const taskId = vod.store.nextTaskId();
  vod.store.addMany(
    Array.from({ length: 40 }, (_, i) => ({
      TaskId: taskId,
      ObjectPath: `http://video.example.com/videos/launch-trailer/seg-${i}.ts`,
      creationMs: nowMs - 20 * 60_000,
      ...(i % 13 === 5 ? { Status: 'Failed', Description: 'Origin Timeout' } : { Status: 'Complete' }),
    })),
  );
}

/** The functions of s.yaml, each running the bundle's factory its handler names (`index.handler` -> createHandler). */
function functionsOf(deployed: readonly DeployedFunction[], bundle: Bundle, env: Record<string, string>, log: (line: string) => void, now: () => number) {
  const logDestination = { write: (line: string) => log(line.trimEnd()) };
  return deployed.map((d): SimFunction => {
    const exported = d.handler.split('.').at(-1) ?? '';
    const factory = bundle[`create${exported.charAt(0).toUpperCase()}${exported.slice(1)}`];
    if (!factory) throw new Error(`s.yaml: ${d.resource} has handler ${d.handler}, which dist/index.js does not export`);
    return {
      functionName: d.functionName,
      runtime: d.runtime,
      handler: d.handler,
      memorySize: d.memorySize,
      timeout: d.timeout,
      lastModifiedTime: iso(now()),
      environmentVariables: env,
      triggers: d.timers.map((t) => ({
        triggerName: t.triggerName,
        triggerType: 'timer',
        triggerConfig: JSON.stringify({ cronExpression: t.cronExpression, enable: t.enable, payload: t.payload }),
      })),
      ...(d.asyncInvokeConfig ? { asyncInvokeConfig: d.asyncInvokeConfig } : {}),
      invoke: (event, context) => factory({ env, now, logDestination })(event, context),
    };
  });
}

const robotOf = (): SimRobot => ({ accessToken: hex(16), secret: `SEC${hex(24)}`, keywords: ['VOD'] });

/** The deployed function's environment: the simulators' endpoints, the robot(s), and the settings local changes. */
function deployedEnv(o: LocalOptions, vod: VodSim, ding: DingTalkSim, robots: SimRobot[], dir: string): Record<string, string> {
  const [ops, video] = robots as [SimRobot, SimRobot];
  const env: Record<string, string> = {
    VOD_ENDPOINT: vod.url,
    VOD_DOMAINS: DOMAINS.join(','),
    DINGTALK_WEBHOOK: ding.webhook(ops.accessToken),
    DINGTALK_SECRET: ops.secret!,
    DINGTALK_KEYWORDS: 'VOD',
    STUCK_AFTER_MINUTES: o.env.STUCK_AFTER_MINUTES || LOCAL_STUCK_AFTER_MINUTES,
    ...(o.env.MONITOR_EVERY_MINUTES ? { MONITOR_EVERY_MINUTES: o.env.MONITOR_EVERY_MINUTES } : {}),
    STATE_FILE: path.join(dir, 'deployed', 'state.json'),
  };
  if (!o.alerting) return env;
  const file = path.join(dir, 'alerting.yaml');
  writeFileSync(file, sampleAlerting((o.now ?? Date.now)()));
  const [opsNames, videoNames] = SAMPLE_RECEIVERS;
  return {
    ...env,
    ALERTING_CONFIG: file,
    [opsNames.webhook]: env.DINGTALK_WEBHOOK!,
    [opsNames.secret]: ops.secret!,
    [videoNames.webhook]: ding.webhook(video.accessToken),
    [videoNames.secret]: video.secret!,
  };
}

/** Starts the VOD API, the DingTalk robot(s) and the Function Compute API on loopback; FC runs the built bundle as s.yaml deploys it. */
export async function startLocal(options: LocalOptions): Promise<LocalWorld> {
  const now = options.now ?? Date.now;
  const deployed = readSYaml(options.sYaml, { ...options.env, FC_ACCOUNT_ID: ACCOUNT_ID });
  // The monitor is the function of the bundle's `handler` export that has a timer (the watchdog may have one too).
  const monitorSpec = deployed.find((d) => d.timers.length > 0 && d.handler.endsWith('.handler')) ?? deployed.find((d) => d.timers.length > 0);
  if (!monitorSpec) throw new Error('s.yaml: no function has a timer trigger');
  const bundle = require(options.bundlePath) as Bundle;
  const account = { accessKeyId: `LTAI5tLocal${hex(5)}`, accessKeySecret: hex(15) };
  const robots = [robotOf(), robotOf()];
  const names = new Map(robots.map((r, i) => [r.accessToken, SAMPLE_RECEIVERS[i]!.name]));
  const dir = mkdtempSync(path.join(tmpdir(), 'vod-refresh-monitor-local-'));
  const vod: VodSim = await startVodSim({ accounts: [account], seed: 2026, now });
  const ding: DingTalkSim = await startDingTalkSim({ robots, now });
  seed(vod, options.rows, now());
  const env = deployedEnv(options, vod, ding, robots, dir);
  const fc: FcSim = await startFcSim({ accounts: [account], functions: functionsOf(deployed, bundle, env, options.log, now) });
  ding.beforeReply = async (m) =>
    options.log(`robot ${options.alerting ? `${names.get(m.accessToken)} ` : ''}received: ${m.body.markdown?.title ?? m.body.msgtype}`);
  const monitor = { ...monitorSpec, timer: monitorSpec.timers[0]! };
  /** An invocation as Function Compute makes it: the timer event (triggerTime only for a timer's mark) and a context. */
  const invoke = (d: DeployedFunction, timer: DeployedTimer, markMs?: number) =>
    fc.functions.get(d.functionName)!.invoke!(
      Buffer.from(JSON.stringify({ ...(markMs === undefined ? {} : { triggerTime: iso(markMs) }), triggerName: timer.triggerName, payload: timer.payload })),
      {
        requestId: `local-${markMs ?? now()}`,
        credentials: account,
        function: { name: d.functionName, handler: d.handler, memory: d.memorySize, timeout: d.timeout },
        region: 'cn-shanghai',
        accountId: ACCOUNT_ID,
      },
    );
  const stuckAfterMinutes = Number(env.STUCK_AFTER_MINUTES);
  return {
    exports: [
      ...Object.entries(env).filter(([k]) => k !== 'STATE_FILE'),
      ['ALIBABA_CLOUD_ACCESS_KEY_ID', account.accessKeyId],
      ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', account.accessKeySecret],
      ['FC_ENDPOINT', fc.endpoint],
      ['FC_ACCOUNT_ID', ACCOUNT_ID],
      ['FC_REGION', 'cn-shanghai'],
      ['FC_FUNCTION_NAME', monitor.functionName],
      ['STATE_FILE', path.join(dir, 'this-machine', 'state.json')],
    ],
    monitor,
    deployedStateFile: env.STATE_FILE!,
    alertingFile: env.ALERTING_CONFIG ?? null,
    stuckAfterMinutes,
    actions: demoActions(vod, DOMAINS, now, stuckAfterMinutes),
    timers: deployed.flatMap((d) => d.timers.map((timer) => ({ functionName: d.functionName, timer, fire: (markMs: number) => invoke(d, timer, markMs) }))),
    tick: (markMs) => invoke(monitor, monitor.timer, markMs),
    async close() {
      await Promise.all([fc.close(), ding.close(), vod.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
