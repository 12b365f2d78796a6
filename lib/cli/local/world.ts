import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DingTalkSim, startDingTalkSim } from '../../../sim/dingtalk/server';
import { type FcSim, type SimFunction, startFcSim } from '../../../sim/fc/server';
import { seededRandom } from '../../../sim/random';
import { startVodSim, type VodSim } from '../../../sim/vod/server';
import { seedHistory } from '../../../sim/vod/store';

/** The built bundle (dist/index.js), as Function Compute loads it. */
interface Bundle {
  createHandler(o: { env: Record<string, string>; logDestination: { write(line: string): unknown } }): (event: Buffer, context: unknown) => Promise<unknown>;
  createWatchdog(o: { env: Record<string, string>; logDestination: { write(line: string): unknown } }): (event: Buffer, context: unknown) => Promise<unknown>;
}

/** The simulators `local` runs, and what the other commands need to reach them. */
export interface LocalWorld {
  /** Variable, value: every setting the other commands need. */
  readonly exports: Array<[string, string]>;
  readonly functionName: string;
  readonly deployedStateFile: string;
  /** One timer run of the "deployed" monitor, as Function Compute's timer makes it. */
  tick(): Promise<unknown>;
  close(): Promise<void>;
}

/** How `local` starts: which bundle the functions run, how much history, where their logs go. */
export interface LocalOptions {
  readonly bundlePath: string;
  readonly rows: number;
  /** Where the simulated functions' JSON log lines go. */
  readonly log: (line: string) => void;
}

const DOMAINS = ['video.example.com', 'vod.example.cn', 'media.example.net'];
const FUNCTION = 'vod-refresh-monitor';
const ACCOUNT_ID = '1234567890123456';
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A 3-day history of `rows` rows with failures, and one merged batch (40 URLs under one TaskId, 3 of them failed) 20 minutes ago. */
function seed(vod: VodSim, rows: number, nowMs: number): void {
  seedHistory(vod.store, { nowMs, count: rows, random: seededRandom(7), failureRate: 0.04, domains: DOMAINS });
  const taskId = vod.store.nextTaskId();
  const createdMs = nowMs - 20 * 60_000;
  vod.store.addMany(
    Array.from({ length: 40 }, (_, i) => ({
      TaskId: taskId,
      ObjectPath: `http://video.example.com/videos/launch-trailer/seg-${i}.ts`,
      creationMs: createdMs,
      ...(i % 13 === 5 ? { Status: 'Failed', Description: 'Origin Timeout' } : { Status: 'Complete' }),
    })),
  );
}

function functionsOf(bundle: Bundle, env: Record<string, string>, log: (line: string) => void): SimFunction[] {
  const logDestination = { write: (line: string) => log(line.trimEnd()) };
  const common = {
    runtime: 'nodejs20',
    memorySize: 128,
    timeout: 120,
    lastModifiedTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    environmentVariables: env,
  };
  const timer = {
    triggerName: 'every-5-minutes',
    triggerType: 'timer',
    triggerConfig: JSON.stringify({ cronExpression: 'CRON_TZ=Asia/Shanghai 0 */5 * * * *', enable: true, payload: '{}' }),
  };
  return [
    {
      ...common,
      functionName: FUNCTION,
      handler: 'index.handler',
      triggers: [timer],
      asyncInvokeConfig: {
        destinationConfig: { onFailure: { destination: `acs:fc:cn-shanghai:${ACCOUNT_ID}:functions/${FUNCTION}-watchdog` } },
        maxAsyncRetryAttempts: 1,
        maxAsyncEventAgeInSeconds: 240,
      },
      invoke: (event, context) => bundle.createHandler({ env, logDestination })(event, context),
    },
    {
      ...common,
      functionName: `${FUNCTION}-watchdog`,
      handler: 'index.watchdog',
      triggers: [],
      invoke: (event, context) => bundle.createWatchdog({ env, logDestination })(event, context),
    },
  ];
}

/** Starts the VOD API, the DingTalk robot and the Function Compute API on loopback; the FC functions run the built bundle. */
export async function startLocal(options: LocalOptions): Promise<LocalWorld> {
  const bundle = require(options.bundlePath) as Bundle;
  const account = { accessKeyId: `LTAI5tLocal${hex(5)}`, accessKeySecret: hex(15) };
  const robot = { accessToken: hex(16), secret: `SEC${hex(24)}`, keywords: ['VOD'] };
  const dir = mkdtempSync(path.join(tmpdir(), 'vod-refresh-monitor-local-'));
  const deployedStateFile = path.join(dir, 'deployed', 'state.json');
  const vod: VodSim = await startVodSim({ accounts: [account], seed: 2026 });
  const ding: DingTalkSim = await startDingTalkSim({ robots: [robot] });
  seed(vod, options.rows, Date.now());
  const env = {
    VOD_ENDPOINT: vod.url,
    VOD_DOMAINS: DOMAINS.join(','),
    DINGTALK_WEBHOOK: ding.webhook(robot.accessToken),
    DINGTALK_SECRET: robot.secret,
    DINGTALK_KEYWORDS: robot.keywords.join(','),
    STATE_FILE: deployedStateFile,
  };
  const fc: FcSim = await startFcSim({ accounts: [account], functions: functionsOf(bundle, env, options.log) });
  ding.beforeReply = async (m) => options.log(`robot received: ${m.body.markdown?.title ?? m.body.msgtype}`);
  const monitor = fc.functions.get(FUNCTION)!;
  return {
    exports: [
      ...Object.entries(env).filter(([k]) => k !== 'STATE_FILE'),
      ['ALIBABA_CLOUD_ACCESS_KEY_ID', account.accessKeyId],
      ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', account.accessKeySecret],
      ['FC_ENDPOINT', fc.endpoint],
      ['FC_ACCOUNT_ID', ACCOUNT_ID],
      ['FC_REGION', 'cn-shanghai'],
      ['FC_FUNCTION_NAME', FUNCTION],
      ['STATE_FILE', path.join(dir, 'this-machine', 'state.json')],
    ],
    functionName: FUNCTION,
    deployedStateFile,
    tick: () =>
      monitor.invoke!(
        Buffer.from(JSON.stringify({ triggerTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), triggerName: 'every-5-minutes', payload: '{}' })),
        { requestId: `local-${Date.now()}`, credentials: account, function: { name: FUNCTION, timeout: 120 } },
      ),
    async close() {
      await Promise.all([fc.close(), ding.close(), vod.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
