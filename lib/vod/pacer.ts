import PQueue from 'p-queue';

/** Limits concurrent calls and spaces their starts so that no rolling second sees more than `ratePerSecond`. */
export interface Pacer {
  run<T>(fn: () => Promise<T>): Promise<T>;
  clear(): void;
}

/** Starts are spaced 5% wider than 1/rate, so that network jitter cannot bunch two into one server-side second. */
export const PACING_MARGIN = 1.05;

export function createPacer(concurrency: number, ratePerSecond: number): Pacer {
  const queue = new PQueue({
    concurrency,
    intervalCap: 1,
    // Only starts are paced; a request still in flight must not count against the next interval, or the
    // queue degrades to one request at a time.
    interval: Math.ceil((1000 / ratePerSecond) * PACING_MARGIN),
  });
  return {
    run: <T>(fn: () => Promise<T>) => queue.add(fn) as Promise<T>,
    clear: () => queue.clear(),
  };
}
