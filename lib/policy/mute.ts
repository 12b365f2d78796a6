import { mutedSummaryKey, rowKeyExpiry } from '../events/keys';
import type { AlertEvent } from '../events/schema';
import { tell } from '../events/told';
import type { MonitorState } from '../state/schema';
import { shanghaiTime } from '../time';
import type { AlertingPlan, Mute } from './load';
import { facetsOf, matches, routeOf } from './route';

const MUTABLE = new Set(['failed', 'stuck', 'recovered', 'resubmitted', 'reminder']);

/** Whether a mute holds at `nowMs`: before its `until`, or inside its weekly window (Asia/Shanghai). */
export function isActive(m: Mute, nowMs: number): boolean {
  if (m.untilMs !== null) return nowMs < m.untilMs;
  if (!m.weekly) return false;
  const local = new Date(Date.parse(`${shanghaiTime(nowMs).replace(' ', 'T')}Z`));
  const day = local.getUTCDay();
  const min = local.getUTCHours() * 60 + local.getUTCMinutes();
  const { days, fromMin, toMin } = m.weekly;
  if (fromMin < toMin) return days.includes(day) && min >= fromMin && min < toMin;
  // a window across midnight: from `from` on a listed day to `to` the next day
  return (days.includes(day) && min >= fromMin) || (days.includes((day + 6) % 7) && min < toMin);
}

const bump = (m: Record<string, number>, k: string) => ({ ...m, [k]: (m[k] ?? 0) + 1 });

/** What one mute held back for one receiver (state key `<mute>|<receiver>`: neither name may hold a `|`). */
type Held = MonitorState['muted'][string];

function hold(held: Held | undefined, e: AlertEvent, mute: Mute, receiver: string, nowMs: number): Held {
  const h = held ?? { receiver, reason: mute.reason, fromMs: nowMs, toMs: nowMs, count: 0, byKind: {}, byDescription: {}, byDomain: {} };
  const f = facetsOf(e);
  return {
    ...h,
    toMs: nowMs,
    count: h.count + 1,
    byKind: bump(h.byKind, e.kind),
    byDescription: f.description ? bump(h.byDescription, f.description) : h.byDescription,
    byDomain: f.domain ? bump(h.byDomain, f.domain) : h.byDomain,
  };
}

/**
 * Holds back the events an active mute matches: they are not sent, but counted per receiver (and their keys recorded
 * as told, and as held, so they are neither reported nor reminded later); when a window has ended (no mute of that
 * name is active any more), one summary per receiver says what it held. Pure.
 */
export function applyMutes(
  state: MonitorState,
  events: readonly AlertEvent[],
  plan: AlertingPlan,
  nowMs: number,
): { state: MonitorState; events: AlertEvent[] } {
  const muted = { ...state.muted };
  const held: Array<readonly [string, number]> = [];
  const kept: AlertEvent[] = [];
  for (const e of events) {
    const mute = MUTABLE.has(e.kind) ? plan.mutes.find((m) => isActive(m, nowMs) && matches(m.match, facetsOf(e))) : undefined;
    if (!mute) {
      kept.push(e);
      continue;
    }
    const receiver = routeOf(e, plan);
    const slot = `${mute.name}|${receiver}`;
    muted[slot] = hold(muted[slot], e, mute, receiver, nowMs);
    if ('task' in e) held.push([e.key, rowKeyExpiry(e.task, nowMs)]);
  }
  for (const [slot, held] of Object.entries(muted)) {
    const name = slot.includes('|') ? slot.slice(0, slot.lastIndexOf('|')) : slot;
    if (plan.mutes.some((m) => m.name === name && isActive(m, nowMs))) continue;
    kept.push({
      kind: 'muted-summary',
      key: mutedSummaryKey(slot, held.fromMs),
      receiver: held.receiver,
      mute: name,
      reason: held.reason,
      fromMs: held.fromMs,
      toMs: nowMs,
      count: held.count,
      byKind: held.byKind,
      byDescription: held.byDescription,
      byDomain: held.byDomain,
    });
    delete muted[slot];
  }
  if (held.length === 0) return { state: { ...state, muted }, events: kept };
  return { state: { ...state, muted, reported: tell(state.reported, held), heldKeys: { ...state.heldKeys, ...Object.fromEntries(held) } }, events: kept };
}
