import { nextCronMark } from '../../../sim/fc/cron';

/** Schedules `fn` after `ms` and returns how to cancel it (setTimeout by default; tests pass their own). */
export type SetTimer = (fn: () => void, ms: number) => () => void;

/** The real timer: setTimeout, unref'd so that it never holds the process open by itself. */
export const realTimer: SetTimer = (fn, ms) => {
  const t = setTimeout(fn, Math.max(0, ms));
  t.unref();
  return () => clearTimeout(t);
};

/**
 * Fires `fire(markMs)` on every mark of `cron`, as Function Compute's timer does (:00, :05 … for `0 *\/5 * * * *`),
 * never at an offset from when it started. A run still going at the next mark makes that mark wait for it (one
 * instance, reservedConcurrency 1), and a mark missed meanwhile is skipped, not made up. Returns a stop function.
 */
export function startTimer(cron: string, now: () => number, fire: (markMs: number) => Promise<unknown>, setTimer: SetTimer = realTimer): () => void {
  let cancel: (() => void) | null = null;
  let stopped = false;
  let last = -Infinity;
  const arm = () => {
    if (stopped) return;
    // From the last mark at least: a timer that woke a little early must not fire the same mark twice.
    const mark = nextCronMark(cron, Math.max(now(), last));
    last = mark;
    cancel = setTimer(() => {
      void fire(mark)
        .catch(() => undefined)
        .then(arm);
    }, mark - now());
  };
  arm();
  return () => {
    stopped = true;
    cancel?.();
  };
}
