import { digestKey } from '../events/keys';
import type { AlertEvent, EventOf, TaskFacts } from '../events/schema';
import { domainOf } from '../identity';
import type { MonitorState } from '../state/schema';
import { failureClass } from '../vod/descriptions';
import type { VodReader } from '../vod/reader';
import { OBJECT_TYPES } from '../vod/types';
import type { AlertingPlan } from './load';
import { routeOf } from './route';

// Every time here is the API's clock (the Date header of its answers), as the rest of the run plans with.

type Daily = MonitorState['daily'];
type Counts = Daily['receivers'][string];
type Account = EventOf<'digest'>['account'];
const DAY = 86_400_000;
/** URLs counted per receiver for "failed more than once" (the rest are still in the totals). */
const MAX_URLS = 300;

const empty = (): Counts => ({ failures: {}, urls: {}, reported: 0, muted: 0, retried: 0, recovered: 0, failedAgain: 0 });
const fresh = (sinceMs: number | null, lastDay: string | null, lastGoodMs: number | null): Daily => ({
  sinceMs,
  lastDay,
  receivers: {},
  runs: 0,
  runsOk: 0,
  blindMs: 0,
  gaps: 0,
  longestGap: null,
  lastGoodMs,
});

/**
 * Where the digest's count stands before a run adds to it: it begins with the first run that has a digest configured
 * (`sinceMs`: this run), and stops, forgetting what it held, when the alerting file has none. A refused file
 * (`fallback`: alerts go to the environment's robot) changes nothing: the file's digest resumes once it is fixed. Pure.
 */
export function countingFrom(daily: Daily, plan: AlertingPlan, fallback: boolean, nowMs: number): Daily {
  if (fallback) return daily;
  if (!plan.digest) return daily.sinceMs === null ? daily : fresh(null, null, daily.lastGoodMs);
  return daily.sinceMs === null ? fresh(nowMs, null, daily.lastGoodMs) : daily;
}

/** The events a digest counts. */
type Counted = EventOf<'failed' | 'resubmitted' | 'recovered'>;
const isCounted = (e: AlertEvent): e is Counted => e.kind === 'failed' || e.kind === 'resubmitted' || e.kind === 'recovered';

/** Adds one event to a receiver's counts, in place (`r` is this run's own copy). */
function add(r: Counts, e: Counted, held: boolean): void {
  if (e.kind === 'failed') {
    const k = `${e.task.domain || '(no domain)'}|${failureClass(e.task.description)}`;
    r.failures[k] = (r.failures[k] ?? 0) + 1;
    const url = e.task.objectPath;
    if (r.urls[url] !== undefined || Object.keys(r.urls).length < MAX_URLS) r.urls[url] = (r.urls[url] ?? 0) + 1;
    if (held) r.muted++;
    else r.reported++;
    // A failure of a URL the monitor had re-submitted: its re-submission failed.
    if (e.retry && e.retry.attempts > 0) r.failedAgain++;
  } else if (e.kind === 'resubmitted') r.retried++;
  else if (e.afterRetries) r.recovered++;
}

/**
 * Adds what a run decided to what the next digest sums up, per receiver: failures (by domain and Description, by
 * URL; told one by one, or `held` back by a mute), re-submissions, recoveries after them, failures after them. Pure.
 */
export function accumulate(daily: Daily, kept: readonly AlertEvent[], held: readonly AlertEvent[], plan: AlertingPlan): Daily {
  if (daily.sinceMs === null) return daily;
  const receivers = { ...daily.receivers };
  // Each receiver's counts copied once a run, then added to in place: a run of 50,000 failures stays linear.
  const own = new Set<string>();
  const count = (e: AlertEvent, isHeld: boolean) => {
    if (!isCounted(e)) return;
    const name = routeOf(e, plan);
    if (!own.has(name)) {
      const was = receivers[name] ?? empty();
      receivers[name] = { ...was, failures: { ...was.failures }, urls: { ...was.urls } };
      own.add(name);
    }
    add(receivers[name]!, e, isHeld);
  };
  for (const e of kept) count(e, false);
  for (const e of held) count(e, true);
  return { ...daily, receivers };
}

/** The part of the gap from the last good run (`lastGoodMs`, else `sinceMs`) to `toMs` inside the period, when the gap is longer than `limitMs`. */
function gapIn(sinceMs: number, lastGoodMs: number | null, toMs: number, limitMs: number): { fromMs: number; toMs: number } | null {
  const last = lastGoodMs ?? sinceMs;
  const fromMs = Math.max(last, sinceMs);
  return toMs - last > limitMs && toMs > fromMs ? { fromMs, toMs } : null;
}

const withGap = (daily: Daily, gap: { fromMs: number; toMs: number } | null): Daily => {
  if (!gap) return daily;
  const longest = daily.longestGap && daily.longestGap.toMs - daily.longestGap.fromMs >= gap.toMs - gap.fromMs ? daily.longestGap : gap;
  return { ...daily, gaps: daily.gaps + 1, blindMs: daily.blindMs + gap.toMs - gap.fromMs, longestGap: longest };
};

/**
 * Counts a run once it has ended (a real run, holding the lock: never a dry run, a duplicated event or a skipped
 * run); a good run (lib/decide/good-run.ts) at `atMs` closes the gap since the last one, counted when longer than
 * `blindAfterMs`. Pure.
 */
export function countRun(daily: Daily, run: { good: boolean; atMs: number }, blindAfterMs: number): Daily {
  if (daily.sinceMs === null) return run.good ? { ...daily, lastGoodMs: run.atMs } : daily;
  const counted = { ...daily, runs: daily.runs + 1 };
  if (!run.good) return counted;
  return { ...withGap(counted, gapIn(daily.sinceMs, daily.lastGoodMs, run.atMs, blindAfterMs)), runsOk: daily.runsOk + 1, lastGoodMs: run.atMs };
}

/** The latest digest time at or before `nowMs` (today's `at` in Asia/Shanghai, or yesterday's), and its day. */
function latestSlot(atMin: number, nowMs: number): { ms: number; day: string } {
  const local = nowMs + 8 * 3600_000;
  const today = Math.floor(local / DAY) * DAY + atMin * 60_000;
  const ms = (today <= local ? today : today - DAY) - 8 * 3600_000;
  return { ms, day: new Date(ms + 8 * 3600_000).toISOString().slice(0, 10) };
}

/**
 * The day whose digest is due now, or null: its time has passed since the counts began, and it was not sent. A run
 * just after midnight still sends the digest of 23:58; a day whose only run after `at` failed is sent by the next.
 */
export function digestDue(daily: Daily, plan: AlertingPlan, nowMs: number): string | null {
  if (!plan.digest || daily.sinceMs === null) return null;
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

/** What a digest needs beside the state: when (the API's clock), the day it is for, the account's counts, the limits. */
export interface DigestMoment {
  readonly nowMs: number;
  readonly day: string;
  readonly account: Account;
  readonly stuckAfterMs: number;
  readonly blindAfterMs: number;
}

/** One digest per receiver the file names, for the period from `daily.sinceMs` to now; then the next period begins. */
export function buildDigests(state: MonitorState, plan: AlertingPlan, at: DigestMoment): { state: MonitorState; events: AlertEvent[] } {
  const daily = state.daily;
  if (!plan.digest || daily.sinceMs === null) return { state, events: [] };
  const { nowMs, day } = at;
  // The gap still open at the digest's time belongs to this period up to now, and to the next from now.
  const closed = withGap(daily, gapIn(daily.sinceMs, daily.lastGoodMs, nowMs, at.blindAfterMs));
  // Each count goes to the receiver its alerts go to: an unresolved URL's failure, a stuck URL's stuck alert.
  const route = (t: TaskFacts) => routeOf({ kind: 'failed', key: '', task: t }, plan);
  const routeStuck = (t: TaskFacts) => routeOf({ kind: 'stuck', key: '', task: t, ageMinutes: 0 }, plan);
  const events: AlertEvent[] = plan.digest.receivers.map((name) => {
    const r = daily.receivers[name] ?? empty();
    const topUrls = Object.entries(r.urls)
      .filter(([, count]) => count > 1)
      .sort(([, a], [, b]) => b - a)
      .slice(0, 5)
      .map(([url, count]) => ({ url, count }));
    const unresolved = Object.entries(state.failedPaths).filter(([p, f]) => route(facts(p, f.objectType, f.description)) === name).length;
    const stuck = Object.values(state.watching).filter((w) => nowMs - w.createdAtMs > at.stuckAfterMs && routeStuck(w.task) === name).length;
    const retries = r.retried || r.recovered || r.failedAgain ? { submitted: r.retried, recovered: r.recovered, failedAgain: r.failedAgain } : null;
    return {
      kind: 'digest',
      key: digestKey(day, name),
      receiver: name,
      day,
      fromMs: daily.sinceMs!,
      toMs: nowMs,
      firstPeriod: daily.lastDay === null,
      failures: r.failures,
      told: { reported: r.reported, muted: r.muted },
      topUrls,
      account: at.account,
      unresolved,
      stuck,
      retries,
      runs: { total: daily.runs, ok: daily.runsOk, blindMs: closed.blindMs, gaps: closed.gaps, longest: closed.longestGap, blindAfterMs: at.blindAfterMs },
    };
  });
  // A gap with no good run yet goes on from where counting began.
  return { state: { ...state, daily: fresh(nowMs, day, daily.lastGoodMs ?? daily.sinceMs) }, events };
}
