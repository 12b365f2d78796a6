import { type ActiveMute, heldMutes } from '../policy/mute';
import { StateError } from '../state/errors';
import type { StateStore } from '../state/file-store';
import type { RunRecord } from '../state/schema';

/** What the saved state says about the deployed monitor: read only, nothing moved or written. */
export interface StateSummary {
  readonly location: string;
  readonly found: boolean;
  /** Why the state could not be used, when it could not. */
  readonly problem: string | null;
  readonly runs: RunRecord[];
  readonly lastOkMs: number | null;
  readonly health: { readonly status: 'ok' | 'down'; readonly sinceMs: number; readonly code: string | null } | null;
  readonly pendingAlerts: number;
  readonly oldestPendingMs: number | null;
  readonly watching: number;
  readonly frontierMs: number | null;
  readonly clockSkewMs: number;
  /** The alerting file the last run refused, and since when (its alerts went to the environment's robot). */
  readonly alertingProblem?: { readonly sinceMs: number; readonly problem: string } | null;
  /** What each mute holds, as the last run saw it. */
  readonly muted?: readonly ActiveMute[];
}

/** Summarises the saved state. Loading is pure: a corrupt file is reported, not moved. */
export async function summarizeState(store: StateStore, nowMs: number): Promise<StateSummary> {
  const empty = {
    location: store.location,
    runs: [],
    lastOkMs: null,
    health: null,
    pendingAlerts: 0,
    oldestPendingMs: null,
    watching: 0,
    frontierMs: null,
    clockSkewMs: 0,
  };
  try {
    const loaded = await store.load(nowMs);
    if (!loaded) return { ...empty, found: false, problem: null };
    const s = loaded.state;
    return {
      location: store.location,
      found: true,
      problem: null,
      runs: s.runs,
      lastOkMs: s.lastOkMs,
      health: { status: s.health.status, sinceMs: s.health.sinceMs, code: s.health.code },
      pendingAlerts: s.outbox.length,
      oldestPendingMs: s.outbox.length ? Math.min(...s.outbox.map((o) => o.queuedAtMs)) : null,
      watching: Object.keys(s.watching).length,
      frontierMs: s.frontierMs,
      clockSkewMs: s.skewMs,
      alertingProblem: s.alertingProblem,
      muted: heldMutes(s),
    };
  } catch (err) {
    if (!(err instanceof StateError)) throw err;
    return { ...empty, found: true, problem: `${err.code}: ${err.message}` };
  }
}
