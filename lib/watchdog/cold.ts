import type { Say } from './heartbeat';

/**
 * What the watchdog decides when it cannot keep its memory (watchdog.json beside the state cannot be read or
 * written, so only the instance's /tmp holds it, and a cold instance has nothing): from durable facts only — the
 * monitor's heartbeat (its last good run), the failure event, the clock, the window and the tick period — so that
 * any sequence of cold invocations tells each outage once, and once a day while it lasts. Pure functions of `now`.
 */

/** The watchdog's timer: s.yaml's `watchdog-timer` (`0 *\/10 * * * *`) ticks on every tenth minute of the clock. */
export const WATCHDOG_EVERY_MS = 10 * 60_000;
/** With no good run known (no heartbeat), a watchdog that cannot remember tells the outage at most this often. */
export const UNKNOWN_START_EVERY_MS = 3600_000;
const DAY_MS = 24 * 3600_000;

const mod = (a: number, b: number) => ((a % b) + b) % b;

/**
 * The moment a tick stands for: the timer event's `triggerTime` (Function Compute's scheduled time, on the minute)
 * when it is within half a period of now, else now. Scheduled times make "the first tick after" exact.
 */
export function tickMoment(triggerTime: string | null, nowMs: number, periodMs = WATCHDOG_EVERY_MS): number {
  const t = triggerTime === null ? Number.NaN : Date.parse(triggerTime);
  return Number.isFinite(t) && Math.abs(t - nowMs) <= periodMs / 2 ? t : nowMs;
}

/**
 * Whether a timer tick that cannot remember tells the outage now: on the first tick at or after the last good run
 * plus the window (that tick is the only one whose lateness is under one period), and on the tick a day after each;
 * with no good run known, on the first tick of each hour. Pure.
 */
export function coldOutageSay(lastGoodMs: number | null, windowMs: number, tickMs: number, periodMs = WATCHDOG_EVERY_MS): Say | null {
  if (lastGoodMs === null) return mod(tickMs, UNKNOWN_START_EVERY_MS) < periodMs ? 'outage' : null;
  const late = tickMs - (lastGoodMs + windowMs);
  if (late < 0 || late % DAY_MS >= periodMs) return null;
  return late < DAY_MS ? 'outage' : 'reminder';
}

/**
 * Whether the failure destination, unable to remember, tells this failed run: when it is the first run after the last
 * good one, and the run nearest a day after that while runs keep failing; with no good run known, the run nearest
 * the start of each hour. `runMs` is the failed run's trigger time (its scheduled tick), else the event's time.
 * Runs are one cadence apart, and the first after a good one starts about one cadence after it ended: the run whose
 * lateness against that is within half a cadence is the one told. Pure.
 */
export function coldFailureTold(lastGoodMs: number | null, runMs: number, cadenceMs: number): boolean {
  const late = lastGoodMs === null ? runMs : runMs - (lastGoodMs + cadenceMs);
  if (lastGoodMs !== null && late < -cadenceMs / 2) return false;
  return mod(late + cadenceMs / 2, lastGoodMs === null ? UNKNOWN_START_EVERY_MS : DAY_MS) < cadenceMs;
}
