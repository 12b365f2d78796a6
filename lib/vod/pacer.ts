import type { Clock, Sleep } from '../ports';
import { DeadlineError } from './errors';

/** Starts are spaced 5% wider than 1/rate, so that network jitter cannot bunch two into one server-side second. */
export const PACING_MARGIN = 1.05;
/** A request is not started with less time than this before the deadline. */
export const MIN_REQUEST_MS = 300;
/** The slowest a throttled run goes. */
const MIN_RATE = 0.5;

export interface PacerOptions {
  readonly concurrency: number;
  readonly ratePerSecond: number;
  /** Epoch ms by which every request must have ended. */
  readonly deadlineMs: number;
  /** The longest a single request may take; each gets min(this, time left to the deadline). */
  readonly requestTimeoutMs: number;
  readonly now: Clock;
  readonly sleep: Sleep;
}

export interface PacerStats {
  started: number;
  /** Requests refused because the deadline was too close. */
  refused: number;
  /** Times the rate was halved after a Throttling answer. */
  slowDowns: number;
  ratePerSecond: number;
  /** The slowest answer of this run so far (ms): no request starts with less time left than it needs. */
  slowestMs: number;
}

/** Limits concurrent calls, spaces their actual starts, and starts nothing that could not end before the deadline. */
export interface Pacer {
  /** Runs `fn` with the timeout it must keep; rejects with DeadlineError when it may not start. */
  run<T>(fn: (timeoutMs: number) => Promise<T>): Promise<T>;
  /** Halves the rate for the rest of the run (at most once a second, or once per spacing interval when slower). */
  slowDown(): void;
  readonly stats: Readonly<PacerStats>;
}

/**
 * A pacer that keeps its promises on a loaded machine: starts are FIFO, one starter at a time, and each waits
 * until `interval` has passed since the previous *actual* start, measured on the clock when it wakes (a late
 * timer delays a start, never bunches two). No request starts once the deadline is nearer than the slowest answer of
 * the run needs (MIN_REQUEST_MS at least), queued ones included: a request cut short by the deadline is wasted.
 */
export function createPacer(options: PacerOptions): Pacer {
  const { now, sleep } = options;
  const stats: PacerStats = { started: 0, refused: 0, slowDowns: 0, ratePerSecond: options.ratePerSecond, slowestMs: 0 };
  /** The least time a request may start with: what the slowest answer took, with a margin, within the request timeout. */
  const needed = () => Math.max(MIN_REQUEST_MS, Math.min(options.requestTimeoutMs, Math.ceil(stats.slowestMs * 1.2)));
  let lastStart = -Infinity;
  let lastSlowDown = -Infinity;
  const { acquireSlot, releaseSlot } = slots(options.concurrency);
  let gate: Promise<void> = Promise.resolve();
  const interval = () => Math.ceil((1000 / stats.ratePerSecond) * PACING_MARGIN);

  const start = async (): Promise<number> => {
    await acquireSlot();
    for (;;) {
      const wait = lastStart + interval() - now();
      if (wait <= 0) break;
      if (now() + wait + needed() > options.deadlineMs) break;
      await sleep(wait);
    }
    const left = options.deadlineMs - now();
    if (left < needed() || now() < lastStart + interval()) {
      releaseSlot();
      stats.refused++;
      throw new DeadlineError();
    }
    lastStart = now();
    stats.started++;
    return Math.min(options.requestTimeoutMs, left);
  };

  return {
    stats,
    async run<T>(fn: (timeoutMs: number) => Promise<T>): Promise<T> {
      const started = gate.then(start);
      gate = started.then(
        () => undefined,
        () => undefined,
      );
      const timeoutMs = await started;
      const at = now();
      try {
        return await fn(timeoutMs);
      } finally {
        stats.slowestMs = Math.max(stats.slowestMs, now() - at);
        releaseSlot();
      }
    },
    slowDown() {
      const t = now();
      if (t - lastSlowDown < Math.max(1000, interval())) return;
      lastSlowDown = t;
      stats.ratePerSecond = Math.max(MIN_RATE, stats.ratePerSecond / 2);
      stats.slowDowns++;
    },
  };
}

/** `n` slots for requests in flight: a request waits for one, FIFO, and hands it on when it ends. */
function slots(n: number) {
  let active = 0;
  const waiters: Array<() => void> = [];
  return {
    async acquireSlot(): Promise<void> {
      if (active < n) {
        active++;
        return;
      }
      await new Promise<void>((resolve) => waiters.push(resolve));
    },
    releaseSlot(): void {
      const next = waiters.shift();
      if (next) next();
      else active--;
    },
  };
}
