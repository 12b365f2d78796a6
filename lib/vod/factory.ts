import type { Runtime } from '../ports';
import { DEFAULT_RETRY, type RetryPolicy } from '../retry';
import type { RefreshTaskApi } from './client';
import { createPacer, type Pacer } from './pacer';
import { ApiClock, VodReader } from './reader';

export interface ReaderSettings {
  readonly requestsPerSecond: number;
  readonly concurrency: number;
  readonly requestTimeoutMs: number;
}

/** A reader with its pacer and API clock: the one way the handler, the CLI and the benchmarks build one. */
export function createReader(
  api: RefreshTaskApi,
  settings: ReaderSettings,
  runtime: Runtime,
  deadlineMs: number,
  skewMs = 0,
  retryPolicy: RetryPolicy = DEFAULT_RETRY,
): { reader: VodReader; clock: ApiClock; pacer: Pacer } {
  const pacer = createPacer({
    concurrency: settings.concurrency,
    ratePerSecond: settings.requestsPerSecond,
    deadlineMs,
    requestTimeoutMs: settings.requestTimeoutMs,
    now: runtime.now,
    sleep: runtime.sleep,
  });
  const clock = new ApiClock(runtime.now, skewMs);
  const reader = new VodReader({ ...runtime, api, pacer, retryPolicy, clock, deadlineMs });
  return { reader, clock, pacer };
}
