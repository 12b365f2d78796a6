import type { Clock, Random, Sleep } from './ports';

/** How to retry: capped exponential backoff with full jitter, inside a deadline. */
export interface RetryPolicy {
  /** First backoff ceiling, in ms. */
  readonly baseMs: number;
  /** Largest backoff ceiling, in ms. */
  readonly capMs: number;
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
}

export const DEFAULT_RETRY: RetryPolicy = { baseMs: 250, capMs: 8000, maxAttempts: 8 };

export interface RetryDeps {
  readonly now: Clock;
  readonly sleep: Sleep;
  readonly random: Random;
  /** Epoch ms after which no new attempt starts. */
  readonly deadlineMs: number;
  readonly isRetryable: (err: unknown) => boolean;
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/** The delay before retry number `attempt` (1-based): uniform in [0, min(cap, base * 2^(attempt-1))). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: Random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Runs `fn` until it succeeds, fails with an error that is not retryable, runs out of attempts, or the next
 * attempt would start after the deadline. The last error is rethrown as is.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy, deps: RetryDeps): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!deps.isRetryable(err) || attempt >= policy.maxAttempts) throw err;
      const delay = backoffDelay(policy, attempt, deps.random);
      if (deps.now() + delay >= deps.deadlineMs) throw err;
      deps.onRetry?.(err, attempt, delay);
      await deps.sleep(delay);
    }
  }
}
