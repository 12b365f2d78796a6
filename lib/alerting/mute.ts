import type { AlertEvent } from '../alert/model';
import { shanghaiTime } from '../alert/time';
import { rowKeyExpiry } from '../decide/ledger';
import type { MonitorState } from '../state/schema';
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

/**
 * Holds back the events an active mute matches: they are not sent, but counted (and their keys recorded as told,
 * so they are not reported again); when a window has ended, one summary says what it held. Pure.
 */
export function applyMutes(
  state: MonitorState,
  events: readonly AlertEvent[],
  plan: AlertingPlan,
  nowMs: number,
): { state: MonitorState; events: AlertEvent[] } {
  const muted = { ...state.muted };
  const reported = { ...state.reported };
  const kept: AlertEvent[] = [];
  for (const e of events) {
    const mute = MUTABLE.has(e.kind) ? plan.mutes.find((m) => isActive(m, nowMs) && matches(m.match, facetsOf(e))) : undefined;
    if (!mute) {
      kept.push(e);
      continue;
    }
    const f = facetsOf(e);
    const held = muted[mute.name] ?? {
      receiver: routeOf(e, plan),
      reason: mute.reason,
      fromMs: nowMs,
      toMs: nowMs,
      count: 0,
      byKind: {},
      byDescription: {},
      byDomain: {},
    };
    muted[mute.name] = {
      ...held,
      toMs: nowMs,
      count: held.count + 1,
      byKind: bump(held.byKind, e.kind),
      byDescription: f.description ? bump(held.byDescription, f.description) : held.byDescription,
      byDomain: f.domain ? bump(held.byDomain, f.domain) : held.byDomain,
    };
    if ('task' in e) reported[e.key] = rowKeyExpiry(e.task, nowMs);
  }
  for (const [name, held] of Object.entries(muted)) {
    const mute = plan.mutes.find((m) => m.name === name);
    if (mute && isActive(mute, nowMs)) continue;
    kept.push({
      kind: 'muted-summary',
      key: `muted-summary:${name}:${held.fromMs}`,
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
    delete muted[name];
  }
  return { state: { ...state, muted, reported }, events: kept };
}
