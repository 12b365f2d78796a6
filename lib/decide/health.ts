import { blindKey, healthDownKey, healthUpKey } from '../events/keys';
import type { AlertEvent } from '../events/schema';
import type { MonitorState } from '../state/schema';

/** How a run's read went, as decide sees it: `down` when the API could not be read at all, or refused for good. */
export type ReadOutcome = 'complete' | 'partial' | 'down';

/**
 * The monitor's own health: "down" when the API could not be read at all (or refused for good), "ok" again when a
 * read succeeds. A slow run is not down. An alert is raised only when the status changes.
 */
export function nextHealth(
  health: MonitorState['health'],
  status: ReadOutcome,
  error: { code: string; message: string } | null,
  nowMs: number,
): { health: MonitorState['health']; event: AlertEvent | null } {
  if (status !== 'down') {
    if (health.status === 'ok') return { health, event: null };
    return {
      health: { status: 'ok', sinceMs: nowMs, code: null, message: null },
      event: { kind: 'health-up', key: healthUpKey(nowMs), code: health.code ?? 'unknown', downSinceMs: health.sinceMs },
    };
  }
  const code = error?.code ?? 'unknown';
  const message = error?.message ?? 'unknown';
  if (health.status === 'down') return { health: { ...health, code, message }, event: null };
  return {
    health: { status: 'down', sinceMs: nowMs, code, message },
    event: { kind: 'health-down', key: healthDownKey(nowMs), code, message, sinceMs: nowMs },
  };
}

/**
 * Whether this run must say the monitor was blind: its last good run is longer ago than `blindAfterMs` though the
 * monitor was not known to be down (runs that did not happen, or crashed, tell nobody themselves).
 */
export function blindGap(state: MonitorState, status: ReadOutcome, nowMs: number, blindAfterMs: number, cause: string | null): AlertEvent | null {
  if (status === 'down' || state.health.status === 'down' || state.lastOkMs === null) return null;
  if (nowMs - state.lastOkMs <= blindAfterMs) return null;
  return { kind: 'blind', key: blindKey(state.lastOkMs), fromMs: state.lastOkMs, toMs: nowMs, cause };
}
