import { parseTimerEvent } from '../trigger';

/** What the watchdog was invoked for. */
export type WatchdogEvent =
  /** Function Compute's onFailure destination event, or anything that is not a timer event: treated as a failure. */
  | { readonly kind: 'failure'; readonly event: unknown }
  /** Its own timer (the dead man's switch), or `{"status": true}` in the payload: say what it sees, change nothing. */
  | { readonly kind: 'timer'; readonly status: boolean; readonly triggerTime: string | null; readonly problems: readonly string[] };

function objectOf(event: unknown): Record<string, unknown> | null {
  let raw = event;
  if (raw instanceof Uint8Array) raw = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
}

/**
 * Tells a timer event (`triggerTime`, `triggerName`, `payload`) from a destination event (`requestContext`). Only an
 * object that names a trigger and carries no requestContext is a timer event; everything else, however malformed,
 * is a failure to report, so that no failure is ever taken for a tick.
 */
export function classifyEvent(event: unknown): WatchdogEvent {
  const o = objectOf(event);
  if (o === null || 'requestContext' in o || (typeof o.triggerName !== 'string' && typeof o.triggerTime !== 'string')) return { kind: 'failure', event };
  const t = parseTimerEvent(o);
  return { kind: 'timer', status: t.status, triggerTime: t.triggerTime, problems: t.problems };
}
