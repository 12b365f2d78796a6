import { classifyEvent } from './event';
import { onFailure } from './on-failure';
import { onTimer } from './on-timer';
import type { WatchdogDeps, WatchdogReport } from './types';

export type { AlertConfig, HeartbeatView, WatchdogDeps, WatchdogReport } from './types';

/**
 * The watchdog: a failed run Function Compute gave up on (onFailure), or a tick of its own timer (the dead man's
 * switch), or `status`. It never throws: a watchdog that breaks on the event it exists for loses that event.
 */
export async function runWatchdog(deps: WatchdogDeps, event: unknown): Promise<WatchdogReport> {
  try {
    const e = classifyEvent(event);
    if (e.kind === 'failure') return await onFailure(deps, e.event);
    for (const p of e.problems) deps.logger.warn({ event: 'event-ignored' }, p);
    return await onTimer(deps, e.status, e.triggerTime);
  } catch (err) {
    deps.logger.error({ event: 'watchdog-failed', err }, 'the watchdog itself failed; nothing was told');
    const reason = deps.redact(err instanceof Error ? err.message : String(err));
    return { mode: 'failure', announced: false, delivered: false, kind: 'unknown', cause: 'the watchdog itself failed', reason };
  }
}
