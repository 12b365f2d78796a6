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
