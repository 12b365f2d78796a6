import type { Logger } from 'pino';

/** Current time in epoch milliseconds. */
export type Clock = () => number;
/** Waits `ms` milliseconds. */
export type Sleep = (ms: number) => Promise<void>;
/** A number in [0, 1). */
export type Random = () => number;

export type { Logger };

export const systemClock: Clock = () => Date.now();
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** What every layer that waits, retries or logs is handed: time, sleep, randomness and the run's logger. */
export interface Runtime {
  readonly logger: Logger;
  readonly now: Clock;
  readonly sleep: Sleep;
  readonly random: Random;
}
