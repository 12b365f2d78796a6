import type { Clock, Sleep } from '../../ports';
import { DeadlineError, VodError, VodParamError } from '../../vod/errors';
import type { Snapshot } from './follow';
import { judge, type Stop, type Verdict } from './verdict';

/** How often to look: the first pause, then each one `factor` times longer, up to `maxMs`. */
export interface PollSchedule {
  readonly firstMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

/**
 * A CDN refresh takes about 5-6 minutes and a preload 5-30: a look 10 s in catches the quick ones, then the pauses
 * grow by half up to a minute, so a long wait costs a call a minute per task id, not a call every few seconds.
 */
export const DEFAULT_SCHEDULE: PollSchedule = { firstMs: 10_000, maxMs: 60_000, factor: 1.5 };

/** The last look starts at least this long before the deadline, so that it can end before it. */
export const LAST_LOOK_MS = 2000;

/** The pause after look number `look` (0 for the first). */
export function pauseAfter(look: number, s: PollSchedule): number {
  return Math.round(Math.min(s.maxMs, Math.min(s.firstMs, s.maxMs) * s.factor ** look));
}

/** What the loop does its work with; `poll` reads the API into what `snapshot` returns. */
export interface LoopDeps {
  readonly now: Clock;
  readonly sleep: Sleep;
  poll(): Promise<unknown>;
  snapshot(): Snapshot;
  /** Told after each look: the verdict so far, and the pause before the next look (null: this was the last). */
  onLook?(verdict: Verdict, pauseMs: number | null): void;
}

/** When the wait started and must end, and how it decides. */
export interface LoopOptions {
  readonly startedMs: number;
  readonly deadlineMs: number;
  readonly failFast: boolean;
  readonly notFoundAfterMs: number;
  readonly schedule: PollSchedule;
}

/** Why a poll that threw stops the wait: the deadline, or the API (after the reader's retries); anything else is a bug or bad input. */
function stopOf(err: unknown): Stop {
  if (err instanceof DeadlineError) return { reason: 'timeout' };
  if (err instanceof VodError && !(err instanceof VodParamError)) return { reason: 'unreadable', code: err.code, message: err.message };
  throw err;
}

/** Looks, decides, pauses (growing pauses, never past the deadline), until the verdict is final. */
export async function waitLoop(deps: LoopDeps, o: LoopOptions): Promise<Verdict> {
  const decide = (stop?: Stop) => judge(deps.snapshot(), { ...o, nowMs: deps.now(), ...(stop ? { stop } : {}) });
  for (let look = 0; ; look++) {
    let verdict: Verdict;
    try {
      await deps.poll();
      verdict = decide();
    } catch (err) {
      verdict = decide(stopOf(err));
    }
    const left = o.deadlineMs - deps.now() - LAST_LOOK_MS;
    if (verdict.exitCode === null && left <= 0) verdict = decide({ reason: 'timeout' });
    if (verdict.exitCode !== null) {
      deps.onLook?.(verdict, null);
      return verdict;
    }
    const pause = Math.min(pauseAfter(look, o.schedule), left);
    deps.onLook?.(verdict, pause);
    await deps.sleep(pause);
  }
}
