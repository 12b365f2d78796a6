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
 * The run's deadlines. Reading stops first, leaving room to save the outbox, deliver (two alert timeouts, within
 * 15-40% of the run) and save again, all before the function's own timeout.
 */
export function budget(startedMs: number, timeoutMs: number, alertTimeoutMs: number): Budget {
  const hardStopMs = startedMs + timeoutMs - RETURN_MARGIN_MS;
  const usable = Math.max(0, hardStopMs - startedMs);
  const deliverUntilMs = hardStopMs - SAVE_RESERVE_MS;
  const deliverReserve = Math.min(Math.max(2 * alertTimeoutMs + 1000, usable * 0.15), usable * 0.4);
  const readUntilMs = Math.max(startedMs, deliverUntilMs - deliverReserve - SAVE_RESERVE_MS);
  return { startedMs, readUntilMs, deliverUntilMs, hardStopMs, lockTtlMs: timeoutMs + 30_000 };
}
