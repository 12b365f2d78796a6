import { mutedSummaryKey, rowKeyExpiry } from '../events/keys';
import type { AlertEvent, EventOf } from '../events/schema';
import { tell } from '../events/told';
import type { MonitorState } from '../state/schema';
import type { AlertingPlan, Mute } from './load';
import { facetsOf, matches, routeOf } from './route';

/** The alerts a mute can hold back: each is about one URL (its row's key is recorded as told). */
type Mutable = EventOf<'failed' | 'stuck' | 'recovered' | 'resubmitted' | 'reminder'>;
const MUTABLE = new Set(['failed', 'stuck', 'recovered', 'resubmitted', 'reminder']);
const isMutable = (e: AlertEvent): e is Mutable => MUTABLE.has(e.kind);
const DAY = 86_400_000;
const SHANGHAI = 8 * 3600_000;

/** Whether a mute holds at `nowMs` (the API's clock): before its `until`, or inside its weekly window (Asia/Shanghai). */
export function isActive(m: Mute, nowMs: number): boolean {
  return windowEnd(m, nowMs) !== null;
}

/**
 * The configured end of the window a mute holds in at `nowMs`: its `until`, or the end of the weekly window it is in
 * (Asia/Shanghai, a window across midnight ending the next day); null when it does not hold now.
 */
export function windowEnd(m: Mute, nowMs: number): number | null {
  if (m.untilMs !== null) return nowMs < m.untilMs ? m.untilMs : null;
  if (!m.weekly) return null;
  const local = nowMs + SHANGHAI;
  const midnight = Math.floor(local / DAY) * DAY - SHANGHAI;
  const day = new Date(local).getUTCDay();
  const min = Math.floor((local % DAY) / 60_000);
  const { days, fromMin, toMin } = m.weekly;
  const at = (dayStart: number, minute: number) => dayStart + minute * 60_000;
  if (fromMin < toMin) return days.includes(day) && min >= fromMin && min < toMin ? at(midnight, toMin) : null;
  // a window across midnight: from `from` on a listed day to `to` the next day
  if (days.includes(day) && min >= fromMin) return at(midnight + DAY, toMin);
  if (days.includes((day + 6) % 7) && min < toMin) return at(midnight, toMin);
  return null;
}

const bump = (m: Record<string, number>, k: string) => ({ ...m, [k]: (m[k] ?? 0) + 1 });

/** What one mute held back for one receiver (state key `<mute>|<receiver>`: neither name may hold a `|`). */
type Held = MonitorState['muted'][string];

const muteOf = (slot: string) => (slot.includes('|') ? slot.slice(0, slot.lastIndexOf('|')) : slot);

function hold(held: Held | undefined, e: Mutable, mute: Mute, receiver: string, nowMs: number): Held {
  const h = held ?? {
    receiver,
    reason: mute.reason,
    fromMs: nowMs,
    toMs: nowMs,
    count: 0,
    byKind: {},
    byDescription: {},
    byDomain: {},
    untilMs: null,
    firstFailed: {},
  };
  const f = facetsOf(e);
  let firstFailed = h.firstFailed;
  if (e.kind === 'failed') {
    const target = `${e.task.objectType}|${e.task.domain}`;
    const created = e.task.creationTime ? Date.parse(e.task.creationTime) : nowMs;
    const ms = Number.isNaN(created) ? nowMs : created;
    firstFailed = { ...firstFailed, [target]: Math.min(ms, firstFailed[target] ?? ms) };
  }
  return {
    ...h,
    toMs: nowMs,
    count: h.count + 1,
    byKind: bump(h.byKind, e.kind),
    byDescription: f.description ? bump(h.byDescription, f.description) : h.byDescription,
    byDomain: f.domain ? bump(h.byDomain, f.domain) : h.byDomain,
    firstFailed,
  };
}

function summaryOf(slot: string, held: Held, nowMs: number): AlertEvent {
  return {
    kind: 'muted-summary',
    key: mutedSummaryKey(slot, held.fromMs),
    receiver: held.receiver,
    mute: muteOf(slot),
    reason: held.reason,
    fromMs: held.fromMs,
    // The end the file set; a mute taken out of the file (or cut short) ended when the run saw it gone.
    toMs: Math.min(held.untilMs ?? nowMs, nowMs),
    count: held.count,
    byKind: held.byKind,
    byDescription: held.byDescription,
    byDomain: held.byDomain,
    firstFailed: held.firstFailed,
  };
}

/**
 * Holds back the events an active mute matches: they are not sent, but counted per receiver (and their keys recorded
 * as told, and as held, so they are neither reported nor reminded later); when a window has ended (no mute of that
 * name is active any more), one summary per receiver says what it held, ending at the window's configured end.
 * Returns what it held too (`held`), for the digest. Pure; `nowMs` is the API's clock.
 */
export function applyMutes(
  state: MonitorState,
  events: readonly AlertEvent[],
  plan: AlertingPlan,
  nowMs: number,
): { state: MonitorState; events: AlertEvent[]; held: AlertEvent[] } {
  const muted = { ...state.muted };
  const keys: Array<readonly [string, number]> = [];
  const kept: AlertEvent[] = [];
  const held: AlertEvent[] = [];
  for (const e of events) {
    const mute = isMutable(e) && plan.mutes.find((m) => isActive(m, nowMs) && matches(m.match, facetsOf(e)));
    if (!mute) {
      kept.push(e);
      continue;
    }
    const receiver = routeOf(e, plan);
    const slot = `${mute.name}|${receiver}`;
    muted[slot] = hold(muted[slot], e, mute, receiver, nowMs);
    held.push(e);
    keys.push([e.key, rowKeyExpiry(e.task, nowMs)]);
  }
  for (const [slot, h] of Object.entries(muted)) {
    const mute = plan.mutes.find((m) => m.name === muteOf(slot));
    const end = mute ? windowEnd(mute, nowMs) : null;
    if (end !== null) {
      muted[slot] = { ...h, untilMs: end };
      continue;
    }
    kept.push(summaryOf(slot, h, nowMs));
    delete muted[slot];
  }
  if (keys.length === 0) return { state: { ...state, muted }, events: kept, held };
  return {
    state: { ...state, muted, reported: tell(state.reported, keys), heldKeys: { ...state.heldKeys, ...Object.fromEntries(keys) } },
    events: kept,
    held,
  };
}

/** What an active mute holds so far for one receiver (receiver null: nothing yet), and until when. */
export interface ActiveMute {
  readonly mute: string;
  readonly receiver: string | null;
  readonly count: number;
  readonly reason: string | null;
  /** When it first held something (null: nothing yet), and its configured end; ISO times (UTC). */
  readonly since: string | null;
  readonly until: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Every mute active at `nowMs`, with what it holds per receiver: for the run report and `status`. Pure. */
export function activeMutes(state: MonitorState, plan: AlertingPlan, nowMs: number): ActiveMute[] {
  const out: ActiveMute[] = [];
  for (const m of plan.mutes) {
    const end = windowEnd(m, nowMs);
    if (end === null) continue;
    const slots = Object.entries(state.muted).filter(([slot]) => muteOf(slot) === m.name);
    if (slots.length === 0) out.push({ mute: m.name, receiver: null, count: 0, reason: m.reason, since: null, until: iso(end) });
    for (const [, h] of slots) out.push({ mute: m.name, receiver: h.receiver, count: h.count, reason: h.reason, since: iso(h.fromMs), until: iso(end) });
  }
  return out;
}

/** What the state says each mute holds, as the last run saw it (no alerting file needed): for `status`. Pure. */
export function heldMutes(state: Pick<MonitorState, 'muted'>): ActiveMute[] {
  return Object.entries(state.muted).map(([slot, h]) => ({
    mute: muteOf(slot),
    receiver: h.receiver,
    count: h.count,
    reason: h.reason,
    since: iso(h.fromMs),
    until: h.untilMs === null ? null : iso(h.untilMs),
  }));
}
