/**
 * The notification log (`state.reported`): alert keys told, each with the time it may be forgotten. It is what keeps
 * an alert from being told twice, so it has one writer: these functions. Each returns the log unchanged (the same
 * object) when nothing changes, so a run that tells nothing does not rewrite it.
 */
export type Told = Readonly<Record<string, number>>;

/** Records keys as told until their expiry (a key already told keeps the later expiry). */
export function tell(told: Told, entries: Iterable<readonly [key: string, expiresAtMs: number]>): Told {
  let next: Record<string, number> | null = null;
  for (const [key, expiresAtMs] of entries) {
    const was = (next ?? told)[key];
    if ((was ?? -Infinity) >= expiresAtMs) continue;
    next ??= { ...told };
    next[key] = expiresAtMs;
  }
  return next ?? told;
}

/** Expired keys are forgotten in batches, once one has been expired this long: not every run rewrites the log. */
export const FORGET_BATCH_MS = 3600_000;

/**
 * Forgets the keys whose expiry has passed, once the oldest of them passed FORGET_BATCH_MS ago (an expired key is
 * harmless: it names a row the API no longer lists).
 */
export function forgetExpired(told: Told, nowMs: number): Told {
  let due = false;
  for (const expiresAtMs of Object.values(told))
    if (expiresAtMs < nowMs - FORGET_BATCH_MS) {
      due = true;
      break;
    }
  if (!due) return told;
  const next = { ...told };
  for (const [key, expiresAtMs] of Object.entries(told)) if (expiresAtMs < nowMs) delete next[key];
  return next;
}

/** Lets keys go before their expiry (lib/decide/retention.ts decides which: rows no read can meet again). */
export function letGo(told: Told, keys: readonly string[]): Told {
  if (keys.length === 0) return told;
  const next = { ...told };
  for (const k of keys) delete next[k];
  return next;
}
