import type { Config } from '../config';
import type { AlertEvent } from '../events/schema';
import type { MonitorState, RetryEntry } from '../state/schema';
import { shanghaiTime } from '../time';
import { QUERY_WINDOW_MS } from '../vod/time';

export type AutoRefreshSettings = Config['autoRefresh'];
type AutoState = MonitorState['autoRefresh'];

/** The quota a re-submission of this type spends. */
export type QuotaKind = 'url' | 'dir' | 'preload';
export const KIND_OF: Record<string, QuotaKind | undefined> = { file: 'url', directory: 'dir', preload: 'preload' };

/** The day the quotas count, 00:00 to 24:00 UTC+8. */
export function quotaDay(nowMs: number): string {
  return shanghaiTime(nowMs).slice(0, 10);
}

/**
 * Decides what automatic re-submission does about this run's failures and recoveries, and says it on their events:
 * a failure of a known Description gets a retry planned (after the delay) until its retries are used up; a recovery
 * of a URL the monitor re-submitted says so. Pure.
 */
export function scheduleRetries(
  auto: AutoState,
  events: readonly AlertEvent[],
  nowMs: number,
  settings: AutoRefreshSettings,
): { auto: AutoState; events: AlertEvent[] } {
  const retries = { ...auto.retries };
  const out = events.map((e): AlertEvent => {
    if (e.kind === 'recovered') {
      const entry = retries[e.task.objectPath];
      if (!entry) return e;
      delete retries[e.task.objectPath];
      return entry.attempts > 0 ? { ...e, afterRetries: entry.attempts } : e;
    }
    if (e.kind !== 'failed') return e;
    const path = e.task.objectPath;
    const entry = retries[path];
    if (!KIND_OF[e.task.objectType] || !settings.descriptions.includes(e.task.description ?? '')) return e;
    if (entry?.stopped) return { ...e, retry: { attempts: entry.attempts, next: 'none', reason: entry.stopped } };
    const attempts = entry?.attempts ?? 0;
    if (attempts >= settings.maxRetries) {
      retries[path] = {
        ...(entry as RetryEntry),
        task: e.task,
        stopped: `failed again after ${attempts} automatic retr${attempts === 1 ? 'y' : 'ies'}; no further retry`,
      };
      return { ...e, retry: { attempts, next: 'none', reason: retries[path]!.stopped! } };
    }
    const created = e.task.creationTime ? Date.parse(e.task.creationTime) : nowMs;
    retries[path] = {
      objectType: e.task.objectType,
      task: e.task,
      attempts,
      nextAtMs: (Number.isNaN(created) ? nowMs : created) + settings.delayMs,
      intent: null,
      lastTaskId: entry?.lastTaskId ?? null,
      submittedAtMs: null,
      heldSinceMs: entry?.heldSinceMs ?? null,
      heldBy: entry?.heldBy ?? null,
      stopped: null,
    };
    return { ...e, retry: { attempts, next: 'planned' } };
  });
  for (const [path, r] of Object.entries(retries)) {
    const created = r.task.creationTime ? Date.parse(r.task.creationTime) : nowMs;
    if (nowMs - created > QUERY_WINDOW_MS) delete retries[path];
  }
  return { auto: { ...auto, retries }, events: out };
}

/**
 * A submission recorded but never confirmed (the run died between the two) counts as made: the URL is not
 * submitted again beyond its retries. Also starts a new quota day when the date (UTC+8) changed.
 */
export function settle(auto: AutoState, nowMs: number): AutoState {
  const retries: AutoState['retries'] = {};
  for (const [path, r] of Object.entries(auto.retries)) retries[path] = r.intent ? { ...r, attempts: Math.max(r.attempts, r.intent.attempt), intent: null } : r;
  const day = quotaDay(nowMs);
  return { ...auto, retries, ...(day !== auto.day ? { day, used: { url: 0, dir: 0, preload: 0 } } : {}) };
}

/** The URLs due for re-submission now, oldest failure first. */
export function dueRetries(auto: AutoState, nowMs: number, settings: AutoRefreshSettings): Array<[string, RetryEntry]> {
  return Object.entries(auto.retries)
    .filter(([, r]) => r.stopped === null && r.intent === null && r.attempts < settings.maxRetries && r.nextAtMs <= nowMs)
    .sort(([, a], [, b]) => a.nextAtMs - b.nextAtMs);
}

/**
 * How many URLs of one kind the monitor may submit now: its share of today's quota less what it used, and never so
 * many that fewer than that share would remain for everyone else (the CMS must never be refused because of us).
 */
export function allowance(quota: number, remain: number, used: number, share: number): number {
  const mine = Math.floor(quota * share);
  return Math.max(0, Math.min(mine - used, remain - Math.max(1, mine)));
}

/** A URL the API or the quota share keeps from being re-submitted for this long goes to a human. */
export const HOLD_LIMIT_MS = 60 * 60_000;
/** A re-submission with no new row for its URL after this long (the call may not have arrived) goes to a human. */
export const OUTCOME_LIMIT_MS = 60 * 60_000;

/** Marks URLs as held (not submitted this run), keeping the first time they were. */
export function markHeld(auto: AutoState, paths: readonly string[], nowMs: number, why: string): AutoState {
  const retries = { ...auto.retries };
  for (const p of paths) if (retries[p]) retries[p] = { ...retries[p]!, heldSinceMs: retries[p]!.heldSinceMs ?? nowMs, heldBy: why };
  return { ...auto, retries };
}

/**
 * Re-submissions that will not settle on their own: held for longer than HOLD_LIMIT_MS, or submitted with no new
 * row seen for the URL (no recovery, no new failure, none unfinished) for longer than OUTCOME_LIMIT_MS. They stop, and are returned
 * with why, for one notice that hands them to a human. Pure.
 */
export function overdue(
  auto: AutoState,
  nowMs: number,
  unfinished: ReadonlySet<string> = new Set(),
): { auto: AutoState; stopped: Array<{ path: string; entry: RetryEntry; why: string }> } {
  const retries = { ...auto.retries };
  const stopped: Array<{ path: string; entry: RetryEntry; why: string }> = [];
  for (const [path, r] of Object.entries(auto.retries)) {
    if (r.stopped !== null || r.intent !== null) continue;
    let why: string | null = null;
    if (r.heldSinceMs !== null && nowMs - r.heldSinceMs > HOLD_LIMIT_MS) why = `could not be re-submitted for an hour${r.heldBy ? ` (${r.heldBy})` : ''}`;
    // A new row still unfinished is watched like any other: stuck alerts speak for it.
    else if (r.submittedAtMs !== null && nowMs - r.submittedAtMs > OUTCOME_LIMIT_MS && !unfinished.has(path))
      why = 're-submitted, but no new row for it appeared within an hour';
    if (!why) continue;
    retries[path] = { ...r, stopped: why };
    stopped.push({ path, entry: r, why });
  }
  return { auto: { ...auto, retries }, stopped };
}

/**
 * Whether the monitor is still handling a failed URL itself: a re-submission planned, being made (its intent
 * recorded), or made and its outcome not seen yet (no new row, or a new row still unfinished). Until it stops — the
 * URL recovers, fails again, or is handed to a human — on-call is not reminded of it.
 */
export function retryInFlight(auto: AutoState, path: string): boolean {
  const r = auto.retries[path];
  return r !== undefined && r.stopped === null;
}
