import type { Logger } from 'pino';
import { PopCoreRefreshTaskApi } from '../../lib/vod/client';
import { createPacer } from '../../lib/vod/pacer';
import { TaskReader } from '../../lib/vod/reader';
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
  maxPages?: number;
  method?: 'GET' | 'POST';
  maxAttempts?: number;
}

/** A TaskReader over the real pop-core client, with short backoffs so tests run quickly. */
export function makeReader(setup: ReaderSetup) {
  const api = new PopCoreRefreshTaskApi({
    endpoint: setup.endpoint,
    credentials: setup.credentials ?? DEFAULT_ACCOUNT,
    timeoutMs: setup.timeoutMs ?? 2000,
    method: setup.method ?? 'GET',
  });
  const reader = new TaskReader({
    api,
    pacer: createPacer(setup.concurrency ?? 4, setup.rate ?? 1000),
    retryPolicy: { baseMs: 5, capMs: 40, maxAttempts: setup.maxAttempts ?? 30 },
    now: Date.now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    random: Math.random,
    logger: setup.logger,
    deadlineMs: Date.now() + (setup.budgetMs ?? 30_000),
    maxPages: setup.maxPages ?? 400,
  });
  return { api, reader };
}
