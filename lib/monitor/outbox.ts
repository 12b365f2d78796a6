import { expiryOf, noticeKey } from '../events/keys';
import type { AlertEvent } from '../events/schema';
import { forgetExpired, tell } from '../events/told';
import { remindFromDelivery } from '../policy/remind';
import type { MonitorState } from '../state/schema';
import type { Delivery } from './deliver-all';

/** A send that timed out may have arrived: after this many, the alert counts as delivered (unconfirmed). */
export const MAX_UNCERTAIN_SENDS = 2;
/** Runs in which the robot refused an alert even in short form, before it is dropped and counted. */
export const MAX_REFUSALS = 3;

/**
 * The one place events join the outbox: decisions return events, and this appends them, but never one whose key is
 * already told or waiting (a notice said once a day, a fixed-key notice, is decided again every run).
 */
export function enqueue(state: MonitorState, events: readonly AlertEvent[], nowMs: number): MonitorState {
  const waiting = new Set(state.outbox.map((o) => o.event.key));
  const fresh = events.filter((e) => {
    if (state.reported[e.key] !== undefined || waiting.has(e.key)) return false;
    waiting.add(e.key);
    return true;
  });
  if (fresh.length === 0) return state;
  return { ...state, outbox: [...state.outbox, ...fresh.map((event) => ({ event, queuedAtMs: nowMs, uncertain: 0, refusals: 0 }))] };
}

/**
 * The state without the outbox entries already told: a ledger saved after the head that queued them (the head's save
 * failed), or a copy that bridged an outage, may hold their keys as delivered. Sending them again would be a repeat.
 */
export function withoutTold(state: MonitorState): MonitorState {
  const outbox = state.outbox.filter((o) => !Object.hasOwn(state.reported, o.event.key));
  return outbox.length === state.outbox.length ? state : { ...state, outbox };
}

/**
 * Records a delivery: what the robot confirmed leaves the outbox for `reported` (until the API has forgotten its
 * row); a timed-out send counts against MAX_UNCERTAIN_SENDS; an alert refused even in short form counts against
 * MAX_REFUSALS, and past it is dropped with a notice that says so. A delivered failure begins its reminders' interval.
 * Returns the next state and what was given up.
 */
export function record(
  state: MonitorState,
  d: Pick<Delivery, 'delivered' | 'uncertain' | 'refused' | 'recentSends'>,
  nowMs: number,
): { state: MonitorState; unconfirmed: string[]; dropped: string[] } {
  const told: Array<readonly [string, number]> = [];
  const done: AlertEvent[] = [];
  const unconfirmed: string[] = [];
  const dropped: string[] = [];
  const outbox: MonitorState['outbox'] = [];
  for (const entry of state.outbox) {
    const key = entry.event.key;
    let delivered = d.delivered.has(key);
    if (!delivered && d.uncertain.has(key) && entry.uncertain + 1 >= MAX_UNCERTAIN_SENDS) {
      delivered = true;
      unconfirmed.push(key);
    }
    if (delivered) {
      done.push(entry.event);
      const expiry = expiryOf(entry.event, nowMs);
      if (expiry !== null) told.push([key, expiry]);
      continue;
    }
    if (d.refused.has(key) && entry.refusals + 1 >= MAX_REFUSALS) {
      dropped.push(key);
      continue;
    }
    outbox.push({ ...entry, uncertain: entry.uncertain + (d.uncertain.has(key) ? 1 : 0), refusals: entry.refusals + (d.refused.has(key) ? 1 : 0) });
  }
  const reported = forgetExpired(tell(state.reported, told), nowMs);
  const heldKeys = forgetExpired(state.heldKeys, nowMs);
  // Reminders count from the delivery, on the API's clock as every time the alerting file sets.
  const reminders = remindFromDelivery(state, done, nowMs + state.skewMs);
  const next = { ...state, reported, heldKeys, outbox, reminders, recentSends: { ...state.recentSends, ...d.recentSends } };
  if (dropped.length === 0) return { state: next, unconfirmed, dropped };
  const notice: AlertEvent = {
    kind: 'notice',
    key: noticeKey('dropped', { at: nowMs }),
    code: 'AlertRefused',
    message: `${dropped.length} alert(s) could not be delivered: the robot refused them ${MAX_REFUSALS} runs in a row, even in short form. They are in the logs (event "alert-dropped").`,
  };
  return { state: enqueue(next, [notice], nowMs), unconfirmed, dropped };
}
