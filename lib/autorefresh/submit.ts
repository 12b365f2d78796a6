import type { AlertEvent } from '../events/schema';
import { domainOf } from '../identity';
import type { MonitorState, RetryEntry } from '../state/schema';
import { VodError } from '../vod/errors';
import { type Call, caller, PER_CALL, parseQuota, type Quota } from './calls';
import { submitChunk } from './chunk';
import { handOverNotice, pausedNotice } from './notices';
import { allowance, dueRetries, KIND_OF, markHeld, overdue, type QuotaKind, quotaDay, settle } from './plan';
import type { AutoRefreshDeps, AutoRefreshReport } from './types';

export type { AutoRefreshDeps, AutoRefreshReport } from './types';

/**
 * Submits the failed URLs that are due again, as the user would: RefreshVodObjectCaches (File or Directory) or
 * PreloadVodObjectCaches, one call per domain and kind, within the monitor's share of today's quota (read first
 * with DescribeVodRefreshQuota). The intent is saved before each call and settled after it, so a crash between
 * the two counts as a submission: a URL is never submitted beyond its retries by accident. What will not settle on
 * its own (held too long, or no new row after a submission) is handed to a human by name.
 */
export async function runAutoRefresh(
  deps: AutoRefreshDeps,
  state: MonitorState,
  nowMs: number,
): Promise<{ state: MonitorState; events: AlertEvent[]; report: AutoRefreshReport }> {
  const unfinished = new Set(Object.values(state.watching).map((w) => w.task.objectPath));
  const late = overdue(settle(state.autoRefresh, nowMs), nowMs, unfinished);
  const current: MonitorState = { ...state, autoRefresh: late.auto };
  const due = dueRetries(current.autoRefresh, nowMs, deps.settings);
  const report = { due: due.length, submitted: 0, calls: 0, held: [] as string[] };
  // Their failure was told as "re-submitted by the monitor" and rang nobody: now they need a human, and it rings.
  const events: AlertEvent[] = late.stopped.length ? [handOverNotice(late.stopped, nowMs)] : [];
  if (due.length === 0) return { state: current, events, report };
  const call = caller(deps, report);
  let quota: Quota;
  try {
    quota = parseQuota(await call('DescribeVodRefreshQuota', {}));
  } catch (err) {
    if (!(err instanceof VodError)) throw err;
    report.held.push(`DescribeVodRefreshQuota: ${err.code}`);
    const notice = pausedNotice(current, nowMs, `the refresh quota cannot be read (${err.code}): the role needs deploy/ram-policy-auto-refresh.json`);
    const held = markHeld(
      current.autoRefresh,
      due.map(([p]) => p),
      nowMs,
      `the refresh quota cannot be read: ${err.code}`,
    );
    return { state: { ...current, autoRefresh: { ...held, pausedNoticeDay: quotaDay(nowMs) } }, events: [...events, ...(notice ? [notice] : [])], report };
  }
  const submitted = await submitGroups(deps, current, due, quota, call, report, nowMs);
  return { state: submitted.state, events: [...events, ...submitted.events], report };
}

/** One call per domain and kind, each within what the quota share allows now; the rest is held. */
async function submitGroups(
  deps: AutoRefreshDeps,
  state: MonitorState,
  due: ReadonlyArray<[string, RetryEntry]>,
  quota: Quota,
  call: Call,
  report: { submitted: number; held: string[] },
  nowMs: number,
): Promise<{ state: MonitorState; events: AlertEvent[] }> {
  let current = state;
  const events: AlertEvent[] = [];
  let quotaHeld = false;
  const groups = new Map<string, Array<[string, RetryEntry]>>();
  for (const d of due) {
    const group = `${KIND_OF[d[1].objectType]}|${domainOf(d[0])}`;
    groups.set(group, [...(groups.get(group) ?? []), d]);
  }
  const hold = (entries: ReadonlyArray<[string, RetryEntry]>) => {
    current = {
      ...current,
      autoRefresh: markHeld(
        current.autoRefresh,
        entries.map(([p]) => p),
        nowMs,
        "the monitor's share of the refresh quota is used",
      ),
    };
  };
  for (const [group, entries] of groups) {
    const kind = group.split('|')[0] as QuotaKind;
    const allowed = allowance(quota[kind].quota, quota[kind].remain, current.autoRefresh.used[kind], deps.settings.quotaShare);
    const chunk = entries.slice(0, Math.max(0, Math.min(allowed, PER_CALL[kind])));
    if (chunk.length < entries.length && allowed < entries.length) {
      report.held.push(`${kind} quota share used`);
      quotaHeld = true;
    }
    hold(entries.slice(chunk.length));
    if (chunk.length === 0) continue;
    const outcome = await submitChunk(deps, current, kind, chunk, call);
    current = outcome.state;
    events.push(...outcome.events);
    report.submitted += outcome.submitted;
    if (outcome.held) report.held.push(outcome.held);
    if (/^QuotaExceeded/.test(outcome.code ?? '')) quotaHeld = true;
    if (outcome.submitted) quota[kind].remain -= outcome.submitted;
  }
  if (!quotaHeld) return { state: current, events };
  const notice = pausedNotice(
    current,
    nowMs,
    `the monitor's share of today's refresh quota (AUTO_REFRESH_QUOTA_SHARE=${deps.settings.quotaShare}) is used, or the quota itself is spent; failed URLs wait for 00:00 UTC+8, and those still waiting after an hour are handed to you by name`,
  );
  return { state: { ...current, autoRefresh: { ...current.autoRefresh, pausedNoticeDay: quotaDay(nowMs) } }, events: notice ? [...events, notice] : events };
}
