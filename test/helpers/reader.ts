import type { Logger } from 'pino';
import { PopCoreVodApi } from '../../lib/vod/client';
import { createReader } from '../../lib/vod/factory';
import type { Credentials } from '../../lib/vod/types';
import { DEFAULT_ACCOUNT } from '../../sim/vod/server';

export interface ReaderSetup {
  endpoint: string;
  logger: Logger;
  credentials?: Credentials;
  concurrency?: number;
  rate?: number;
  timeoutMs?: number;
  budgetMs?: number;
  method?: 'GET' | 'POST';
  maxAttempts?: number;
  /** The reader's clock and sleep (default: real time); a movable clock makes its waits cost no real time. */
  clock?: { now: () => number; sleep: (ms: number) => Promise<void> };
}

/** A reader over the real pop-core client, built by the one factory, with short backoffs so tests run quickly. */
export function makeReader(setup: ReaderSetup) {
  const api = new PopCoreVodApi({
    endpoint: setup.endpoint,
    credentials: setup.credentials ?? DEFAULT_ACCOUNT,
    timeoutMs: setup.timeoutMs ?? 2000,
    method: setup.method ?? 'GET',
  });
  const time = setup.clock ?? { now: Date.now, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
  const runtime = { now: time.now, sleep: time.sleep, random: Math.random, logger: setup.logger };
  const { reader, pacer, clock } = createReader(
    api,
    { requestsPerSecond: setup.rate ?? 1000, concurrency: setup.concurrency ?? 4, requestTimeoutMs: setup.timeoutMs ?? 2000 },
    runtime,
    time.now() + (setup.budgetMs ?? 30_000),
    0,
    { baseMs: 5, capMs: 40, maxAttempts: setup.maxAttempts ?? 30 },
  );
  return { api, reader, pacer, clock };
}
