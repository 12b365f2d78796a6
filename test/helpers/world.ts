import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { urlText } from '../../lib/notify/escape';
import type { StateFs } from '../../lib/state/fs';
import { DEFAULT_ROBOT, startDingTalkSim } from '../../sim/dingtalk/server';
import { DEFAULT_ACCOUNT, type DomainState, startVodSim } from '../../sim/vod/server';
import { logSink } from './sink';

/** The STS keys the simulated Function Compute context hands the function. */
export const FC_CREDENTIALS = { accessKeyId: 'STS.NUworldKey', accessKeySecret: 'world-sts-secret-7c1d', securityToken: 'CAIS-world-token-b3e2' };

/**
 * A clock that flows with real time and can be moved forward. Its `sleep` moves it instead of waiting (then yields
 * one turn of the event loop), so backoffs and pacing cost no real time; concurrent sleeps add up, as fakeClock's do.
 */
/**
 * 12:00 in Shanghai (UTC+8), far from the day's edges: for a world whose test crosses a Shanghai day otherwise (a
 * quota day, a once-a-day notice, a mute or a digest set at a time of day), so that it passes at any hour it runs.
 * Only for tests that keep to the world's clock (no child process: those read the machine's).
 */
export const NOON_IN_SHANGHAI_MS = Date.parse('2026-12-01T04:00:00Z');

export function movableClock(startMs = Date.now()) {
  const realStart = Date.now();
  let offset = startMs - realStart;
  const advance = (ms: number) => {
    offset += ms;
  };
  return {
    now: () => Date.now() + offset,
    advance,
    sleep: async (ms: number) => {
      advance(Math.max(0, ms));
      await new Promise<void>((resolve) => setImmediate(resolve));
    },
  };
}

type Handler = (event: unknown, context: unknown) => Promise<Record<string, unknown>>;

/** How a row appears in a message: its task id and its URL as rendered. */
export const shown = (row: { TaskId: string; ObjectPath: string }) => `${row.TaskId} ${urlText(row.ObjectPath)}`;

/**
 * The rows listed in a section of the messages, with repeats: `failed` (sections "<Description>: N failed"),
 * `stuck` or `recovered`. Each as `<TaskId> <URL as rendered>`.
 */
export function listedRows(texts: readonly string[], section: 'failed' | 'stuck' | 'recovered'): string[] {
  const heading = { failed: /^[^\n]*: \d+ failed/, stuck: /^Stuck for more than/, recovered: /^Recovered:/ }[section];
  const out: string[] = [];
  for (const text of texts) {
    for (const part of text.split('\n#### ').slice(1)) {
      if (!heading.test(part)) continue;
      let task: string | null = null;
      for (const line of part.split('\n')) {
        const head = /^- TaskId (\S+) · /.exec(line);
        if (head) {
          task = head[1]!;
          continue;
        }
        if (task && line.startsWith('  ') && !line.startsWith('  … and')) out.push(`${task} ${line.trim().replace(/ · .*$/, '')}`);
        if (!line.startsWith('  ') && !head) task = null;
      }
    }
  }
  return out;
}

/** Both simulators, a state file in a temp folder, and the built handler wired to them. */
export async function startWorld(
  options: { env?: Record<string, string | undefined>; seed?: number; domains?: Record<string, DomainState>; fs?: StateFs; startMs?: number } = {},
) {
  const clock = movableClock(options.startMs);
  const vod = await startVodSim({
    accounts: [DEFAULT_ACCOUNT, FC_CREDENTIALS],
    now: clock.now,
    seed: options.seed ?? 11,
    ...(options.domains ? { domains: options.domains } : {}),
  });
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
  const built = require('../../dist/index.js') as { createHandler: (o: unknown) => Handler; createWatchdog: (o: unknown) => Handler };
  const handler = built.createHandler({
    env,
    now: clock.now,
    sleep: clock.sleep,
    logDestination: sink.stream,
    tmpDir: dir,
    ...(options.fs ? { fs: options.fs } : {}),
  });
  let tick = 0;
  const texts = () => ding.accepted.map((m) => m.body.markdown?.text ?? '');
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
      const event = Buffer.from(
        JSON.stringify({
          triggerTime: triggerTime ?? new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          triggerName: 'every-5-minutes',
          payload: payload ?? '',
        }),
      );
      return handler(event, {
        requestId: `req-${tick}`,
        credentials: FC_CREDENTIALS,
        function: { name: 'vod-refresh-monitor', handler: 'index.handler', memory: 128, timeout: timeoutSec },
        region: 'cn-shanghai',
        accountId: '1234',
      });
    },
    /** Adds a failed row created `agoMs` before now; returns how the messages show it. */
    fail(objectPath: string, agoMs = 30_000, description = 'Origin Timeout', taskId?: string): string {
      return shown(
        vod.store.add({
          ObjectPath: objectPath,
          creationMs: clock.now() - agoMs,
          Status: 'Failed',
          Description: description,
          ...(taskId ? { TaskId: taskId } : {}),
        }),
      );
    },
    /** The rows listed as failed in accepted messages, with repeats. */
    listed(section: 'failed' | 'stuck' | 'recovered' = 'failed'): string[] {
      return listedRows(texts(), section);
    },
    texts,
    async close() {
      await vod.close();
      await ding.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
