import { digestKey } from '../events/keys';
import type { AlertEvent, EventOf, TaskFacts } from '../events/schema';
import { domainOf } from '../identity';
import type { MonitorState } from '../state/schema';
import { shanghaiTime } from '../time';
import { failureClass } from '../vod/descriptions';
import type { VodReader } from '../vod/reader';
import { OBJECT_TYPES } from '../vod/types';
import type { AlertingPlan } from './load';
import { routeOf } from './route';

type Daily = MonitorState['daily'];
type Account = EventOf<'digest'>['account'];
const DAY = 86_400_000;
/** URLs counted per receiver for "failed most" (the rest are still in the totals). */
const MAX_URLS = 300;

const bump = (m: Record<string, number>, k: string) => ({ ...m, [k]: (m[k] ?? 0) + 1 });
const empty = (): Daily['receivers'][string] => ({ failures: {}, urls: {}, retried: 0, recovered: 0, failedAgain: 0 });

/** Adds one run's alerts to what the next digests sum up, per receiver. Pure. */
export function accumulate(daily: Daily, events: readonly AlertEvent[], plan: AlertingPlan, run: { ok: boolean }): Daily {
  const receivers = { ...daily.receivers };
  let blindMs = daily.blindMs;
  for (const e of events) {
    if (e.kind === 'blind') blindMs += e.toMs - e.fromMs;
    if (e.kind !== 'failed' && e.kind !== 'resubmitted' && e.kind !== 'recovered') continue;
    const name = routeOf(e, plan);
    const r = { ...(receivers[name] ?? empty()) };
    if (e.kind === 'failed') {
      r.failures = bump(r.failures, `${e.task.domain || '(no domain)'}|${failureClass(e.task.description)}`);
      if (r.urls[e.task.objectPath] !== undefined || Object.keys(r.urls).length < MAX_URLS) r.urls = bump(r.urls, e.task.objectPath);
      if (e.retry?.next === 'none' && e.retry.attempts > 0) r.failedAgain++;
    }
    if (e.kind === 'resubmitted') r.retried++;
    if (e.kind === 'recovered' && e.afterRetries) r.recovered++;
    receivers[name] = r;
  }
  return { ...daily, receivers, runs: daily.runs + 1, runsOk: daily.runsOk + (run.ok ? 1 : 0), blindMs };
}

/** The latest digest time at or before `nowMs` (today's `at` in Asia/Shanghai, or yesterday's), and its day. */
function latestSlot(atMin: number, nowMs: number): { ms: number; day: string } {
  const local = shanghaiTime(nowMs);
  const midnightMs = Date.parse(`${local.slice(0, 10)}T00:00:00+08:00`);
  const today = midnightMs + atMin * 60_000;
  const ms = today <= nowMs ? today : today - DAY;
  return { ms, day: shanghaiTime(ms).slice(0, 10) };
}

/**
 * The day whose digest is due now, or null: its time has passed since the counts began, and it was not sent. A run
 * just after midnight still sends the digest of 23:58; a day whose only run after `at` failed is sent by the next.
 */
export function digestDue(daily: Daily, plan: AlertingPlan, nowMs: number): string | null {
  if (!plan.digest) return null;
  const slot = latestSlot(plan.digest.atMin, nowMs);
  return slot.ms >= daily.sinceMs && daily.lastDay !== slot.day ? slot.day : null;
}

/** Rows and failed rows of the last 24 hours and the 24 before, from the API's counts (eight calls). Null when they cannot be read. */
export async function accountCounts(reader: VodReader, apiNowMs: number): Promise<Account> {
  const end = Math.floor(apiNowMs / 1000) * 1000 - 1000;
  const count = async (fromMs: number, toMs: number) => {
    const q = { startTime: new Date(fromMs), endTime: new Date(toMs) };
    const [rows, ...failed] = await Promise.all([reader.count(q), ...OBJECT_TYPES.map((t) => reader.count({ ...q, objectType: t, status: 'Failed' }))]);
    return { rows: rows!, failed: failed.reduce((a, b) => a + b, 0) };
  };
  try {
    const [now, before] = [await count(end - DAY, end), await count(end - 2 * DAY, end - DAY - 1000)];
    return { rows: now.rows, failed: now.failed, previousRows: before.rows, previousFailed: before.failed };
  } catch {
    return null;
  }
}

const facts = (path: string, objectType: string, description: string | null): TaskFacts => ({
  taskId: '',
  objectPath: path,
  objectType,
  status: 'Failed',
  description,
  creationTime: null,
  domain: domainOf(path),
});

/** One digest per receiver the file names, then a fresh count. */
export function buildDigests(
  state: MonitorState,
  plan: AlertingPlan,
  nowMs: number,
  account: Account,
  stuckAfterMs: number,
  day: string,
): { state: MonitorState; events: AlertEvent[] } {
  if (!plan.digest) return { state, events: [] };
  const route = (t: TaskFacts) => routeOf({ kind: 'failed', key: '', task: t }, plan);
  const events: AlertEvent[] = plan.digest.receivers.map((name) => {
    const r = state.daily.receivers[name] ?? empty();
    const topUrls = Object.entries(r.urls)
      .sort(([, a], [, b]) => b - a)
      .slice(0, 5)
      .map(([url, count]) => ({ url, count }));
    const unresolved = Object.entries(state.failedPaths).filter(([p, f]) => route(facts(p, f.objectType, f.description)) === name).length;
    const stuck = Object.values(state.watching).filter((w) => nowMs - w.createdAtMs > stuckAfterMs && route({ ...w.task }) === name).length;
    const retries = r.retried || r.recovered || r.failedAgain ? { submitted: r.retried, recovered: r.recovered, failedAgain: r.failedAgain } : null;
    return {
      kind: 'digest',
      key: digestKey(day, name),
      receiver: name,
      day,
      fromMs: state.daily.sinceMs,
      toMs: nowMs,
      failures: r.failures,
      topUrls,
      account,
      unresolved,
      stuck,
      retries,
      runs: { total: state.daily.runs, ok: state.daily.runsOk, blindMs: state.daily.blindMs },
    };
  });
  return { state: { ...state, daily: { sinceMs: nowMs, lastDay: day, receivers: {}, runs: 0, runsOk: 0, blindMs: 0 } }, events };
}
