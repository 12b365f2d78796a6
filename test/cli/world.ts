import { createServer } from 'node:net';
import { type CliIo, main } from '../../lib/cli/main';
import { type FcSim, type SimFunction, startFcSim } from '../../sim/fc/server';
import { FC_CREDENTIALS, startWorld } from '../helpers/world';

type Env = Record<string, string | undefined>;
type Bundle = {
  createHandler: (o: unknown) => (event: Buffer, context: unknown) => Promise<unknown>;
  createWatchdog: (o: unknown) => (event: Buffer, context: unknown) => Promise<unknown>;
};

/** What one CLI call printed, and its exit code. */
export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** A port nothing listens on: a service that cannot be reached. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The deployed monitor and its failure handler, as the FC simulator holds them: they run the built bundle against `env`. */
function deployedFunctions(
  bundle: Bundle,
  env: () => Env,
  clock: { now: () => number; sleep: (ms: number) => Promise<void> },
  sink: { write(line: string): unknown },
): SimFunction[] {
  const { now, sleep } = clock;
  const common = { runtime: 'nodejs20', memorySize: 128, timeout: 120, lastModifiedTime: new Date(now() - 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
  return [
    {
      ...common,
      functionName: 'vod-refresh-monitor',
      handler: 'index.handler',
      environmentVariables: env() as Record<string, string>,
      triggers: [
        {
          triggerName: 'every-5-minutes',
          triggerType: 'timer',
          triggerConfig: JSON.stringify({ cronExpression: 'CRON_TZ=Asia/Shanghai 0 */5 * * * *', enable: true, payload: '{}' }),
        },
      ],
      asyncInvokeConfig: {
        destinationConfig: { onFailure: { destination: 'acs:fc:cn-shanghai:1234567890123456:functions/vod-refresh-monitor-watchdog' } },
        maxAsyncRetryAttempts: 1,
      },
      invoke: (event, context) => bundle.createHandler({ env: env(), now, sleep, logDestination: sink })(event, context),
    },
    {
      ...common,
      functionName: 'vod-refresh-monitor-watchdog',
      handler: 'index.watchdog',
      triggers: [],
      invoke: (event, context) => bundle.createWatchdog({ env: env(), now, logDestination: sink })(event, context),
    },
  ];
}

/** The VOD API, the DingTalk robot and the FC API on loopback, the built handler deployed in the last, and a CLI to call. */
export async function startCliWorld() {
  const world = await startWorld();
  let deployedEnv: Env = { ...world.env };
  const fc: FcSim = await startFcSim({
    accounts: [FC_CREDENTIALS],
    functions: deployedFunctions(world.built as unknown as Bundle, () => deployedEnv, world.clock, world.sink.stream),
  });
  const env: Env = {
    ...world.env,
    ALIBABA_CLOUD_ACCESS_KEY_ID: FC_CREDENTIALS.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: FC_CREDENTIALS.accessKeySecret,
    ALIBABA_CLOUD_SECURITY_TOKEN: FC_CREDENTIALS.securityToken,
    FC_ENDPOINT: fc.endpoint,
  };
  return {
    world,
    fc,
    env,
    /** Changes the deployed function's environment (its next invocation reads it). */
    deploy(extra: Env) {
      deployedEnv = { ...world.env, ...extra };
      fc.functions.get('vod-refresh-monitor')!.environmentVariables = deployedEnv as Record<string, string>;
    },
    /** Runs the CLI in this process; `extra` is merged into the environment (undefined removes a variable). */
    async cli(argv: string[], extra: Env = {}): Promise<CliResult> {
      const out: string[] = [];
      const err: string[] = [];
      const merged = Object.fromEntries(Object.entries({ ...env, ...extra }).filter(([, v]) => v !== undefined));
      const io: CliIo = { stdout: (s) => out.push(s), stderr: (s) => err.push(s), env: merged, now: world.clock.now, sleep: world.clock.sleep };
      const code = await main(argv, io);
      return { code, out: out.join('\n'), err: err.join('\n') };
    },
    async close() {
      await fc.close();
      await world.close();
    },
  };
}

export type CliWorld = Awaited<ReturnType<typeof startCliWorld>>;
