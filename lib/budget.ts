/** Every deadline of one run, from the Function Compute timeout: the one place these margins live. */
export interface Budget {
  readonly startedMs: number;
  /** No VOD request may still run after this. */
  readonly readUntilMs: number;
  /** No send to the robot may still run after this. */
  readonly deliverUntilMs: number;
  /** The state is saved and the report returned by this time; Function Compute kills the run a little later. */
  readonly hardStopMs: number;
  /** How long the state lock is held at most: longer than any run can live. */
  readonly lockTtlMs: number;
}

/** Kept from the timeout for returning the report after the last save. */
export const RETURN_MARGIN_MS = 2000;
/** Time kept for one save of the state (the OSS mount is slower than a disk). */
export const SAVE_RESERVE_MS = 1500;

/**
 * The share of the cadence a run may use: it has ended before the next tick even when it started late (a cold start,
 * a timer that fired some seconds after its minute), so the next run starts on time and finds no lock.
 */
export const CADENCE_SHARE = 0.75;

/**
 * The run's deadlines. Reading stops first, leaving room to save the outbox, deliver (two alert timeouts, within
 * 15-40% of the run) and save again, all before the function's own timeout and within CADENCE_SHARE of the cadence
 * (none for a run outside the timer's rhythm).
 */
export function budget(startedMs: number, timeoutMs: number, alertTimeoutMs: number, cadenceMs = Number.POSITIVE_INFINITY): Budget {
  const hardStopMs = startedMs + Math.min(timeoutMs, cadenceMs * CADENCE_SHARE) - RETURN_MARGIN_MS;
  const usable = Math.max(0, hardStopMs - startedMs);
  const deliverUntilMs = hardStopMs - SAVE_RESERVE_MS;
  const deliverReserve = Math.min(Math.max(2 * alertTimeoutMs + 1000, usable * 0.15), usable * 0.4);
  const readUntilMs = Math.max(startedMs, deliverUntilMs - deliverReserve - SAVE_RESERVE_MS);
  return { startedMs, readUntilMs, deliverUntilMs, hardStopMs, lockTtlMs: timeoutMs + 30_000 };
}
