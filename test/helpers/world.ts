import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDingTalkSim, DEFAULT_ROBOT } from '../../sim/dingtalk/server';
import { DEFAULT_ACCOUNT, startVodSim } from '../../sim/vod/server';
import { logSink } from './sink';

/** The STS keys the simulated Function Compute context hands the function. */
export const FC_CREDENTIALS = { accessKeyId: 'STS.NUworldKey', accessKeySecret: 'world-sts-secret-7c1d', securityToken: 'CAIS-world-token-b3e2' };

/** A clock that flows with real time and can be moved forward. */
export function movableClock(startMs = Date.now()) {
  const realStart = Date.now();
  let offset = startMs - realStart;
  return {
    now: () => Date.now() + offset,
    advance: (ms: number) => {
      offset += ms;
    },
  };
}

type Handler = (event: unknown, context: unknown) => Promise<Record<string, unknown>>;

/** Both simulators, a state file in a temp folder, and the built handler wired to them. */
export async function startWorld(options: { env?: Record<string, string | undefined>; seed?: number } = {}) {
  const clock = movableClock();
  const vod = await startVodSim({ accounts: [DEFAULT_ACCOUNT, FC_CREDENTIALS], now: clock.now, seed: options.seed ?? 11 });
  const ding = await startDingTalkSim({ now: clock.now });
  const dir = mkdtempSync(path.join(tmpdir(), 'vrm-'));
  const stateFile = path.join(dir, 'state.json');
  const sink = logSink();
  const env: Record<string, string | undefined> = {
    VOD_ENDPOINT: vod.url,
    VOD_REQUESTS_PER_SECOND: '100',
    DINGTALK_WEBHOOK: ding.webhook(),
    DINGTALK_SECRET: DEFAULT_ROBOT.secret,
    DINGTALK_KEYWORDS: 'VOD',
    DINGTALK_AT_MOBILES: '13800000000',
    STATE_FILE: stateFile,
    ...options.env,
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const built = require('../../dist/index.js') as { createHandler: (o: unknown) => Handler; handler: Handler };
  const handler = built.createHandler({ env, now: clock.now, logDestination: sink.stream });
  let tick = 0;
  return {
    clock,
    vod,
    ding,
    dir,
    stateFile,
    env,
    sink,
    built,
    /** One timer invocation, as Function Compute makes it. */
    async run(payload?: string, triggerTime?: string, timeoutSec = 60): Promise<Record<string, unknown>> {
      tick++;
      const event = Buffer.from(JSON.stringify({ triggerTime: triggerTime ?? new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'), triggerName: 'every-5-minutes', payload: payload ?? '' }));
      return handler(event, { requestId: `req-${tick}`, credentials: FC_CREDENTIALS, function: { name: 'vod-refresh-monitor', handler: 'index.handler', memory: 128, timeout: timeoutSec }, region: 'cn-shanghai', accountId: '1234' });
    },
    /** Adds a failed task created `agoMs` before now. */
    fail(path: string, agoMs = 30_000, description = 'Origin Timeout'): string {
      return vod.store.add({ ObjectPath: path, creationMs: clock.now() - agoMs, Status: 'Failed', Description: description }).TaskId;
    },
    /** The TaskIds listed as failed in accepted messages, with repeats. */
    listedTaskIds(): string[] {
      return ding.accepted.flatMap((m) =>
        (m.body.markdown?.text ?? '')
          .split('\n#### ')
          .filter((section) => /^[^\n]*: \d+ failed/.test(section))
          .flatMap((section) => [...section.matchAll(/TaskId (\d+)/g)].map((x) => x[1]!)),
      );
    },
    /** TaskIds in a message section whose heading starts with `heading`. */
    sectionTaskIds(heading: string): string[] {
      return ding.accepted.flatMap((m) =>
        (m.body.markdown?.text ?? '')
          .split('\n#### ')
          .filter((section) => section.startsWith(heading))
          .flatMap((section) => [...section.matchAll(/^  \S+ · TaskId (\d+)/gm)].map((x) => x[1]!)),
      );
    },
    async close() {
      await vod.close();
      await ding.close();
    },
  };
}
