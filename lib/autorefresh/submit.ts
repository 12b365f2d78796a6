import { noticeKey, resubmittedKey } from '../events/keys';
import type { AlertEvent } from '../events/schema';
import { domainOf, rowKey } from '../identity';
import { inert } from '../notify/escape';
import type { Runtime } from '../ports';
import { type RetryPolicy, retry } from '../retry';
import type { MonitorState, RetryEntry } from '../state/schema';
import type { RefreshWriteApi } from '../vod/client';
import { callMayHaveArrived, refusalPasses, VodError } from '../vod/errors';
import type { Pacer } from '../vod/pacer';
import { type AutoRefreshSettings, allowance, dueRetries, KIND_OF, markHeld, overdue, type QuotaKind, quotaDay, settle } from './plan';

export interface AutoRefreshDeps extends Runtime {
  readonly api: RefreshWriteApi;
  /** The run's pacer: re-submissions share the rate and the read deadline with the reads. */
  readonly pacer: Pacer;
  readonly retryPolicy: RetryPolicy;
  readonly deadlineMs: number;
  readonly settings: AutoRefreshSettings;
  /** Saves the state (the intent of a submission is on disk before the submission is made). */
  readonly save: (state: MonitorState) => Promise<void>;
}

/** What automatic re-submission did this run, for the report. */
export interface AutoRefreshReport {
  readonly due: number;
  readonly submitted: number;
  readonly calls: number;
  /** Why some URLs were not submitted: quota share spent, quota exhausted, preload queue full... */
  readonly held: string[];
}

/** URLs per call: files and preloads 1,000, directories 100 (the CDN sibling's limits; VOD's are not published). */
const PER_CALL: Record<QuotaKind, number> = { url: 1000, dir: 100, preload: 1000 };
/** Try again after a refusal that passes. */
const WAIT_AFTER_REFUSAL_MS = 10 * 60_000;

type Quota = Record<QuotaKind, { quota: number; remain: number }>;

function parseQuota(body: Record<string, unknown>): Quota {
  const n = (k: string) => {
    const x = Number(body[k]);
    if (!Number.isFinite(x)) throw new VodError({ code: 'MalformedResponse', message: `DescribeVodRefreshQuota lacks ${k}`, retryable: true });
    return x;
  };
  return {
    url: { quota: n('UrlQuota'), remain: n('UrlRemain') },
    dir: { quota: n('DirQuota'), remain: n('DirRemain') },
    preload: { quota: n('PreloadQuota'), remain: n('PreloadRemain') },
  };
}

function request(kind: QuotaKind, paths: string[]): { action: 'RefreshVodObjectCaches' | 'PreloadVodObjectCaches'; params: Record<string, string> } {
  if (kind === 'preload') return { action: 'PreloadVodObjectCaches', params: { ObjectPath: paths.join('\n') } };
  return { action: 'RefreshVodObjectCaches', params: { ObjectPath: paths.join('\n'), ObjectType: kind === 'dir' ? 'Directory' : 'File' } };
}

/** Calls through the run's pacer, within its deadline; Throttling is retried, and every call is counted. */
function caller(deps: AutoRefreshDeps, report: { calls: number }): Call {
  return async (action, params, before) => {
    report.calls++;
    return retry(
      () =>
        deps.pacer.run(async (timeout) => {
          await before?.();
          return deps.api.call(action, params, timeout);
        }),
      deps.retryPolicy,
      { ...deps, deadlineMs: deps.deadlineMs, isRetryable: (e) => e instanceof VodError && e.code.startsWith('Throttling') },
    );
  };
}

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

type Call = (action: Parameters<RefreshWriteApi['call']>[0], params: Record<string, string>, before?: () => Promise<void>) => Promise<Record<string, unknown>>;

async function submitChunk(
  deps: AutoRefreshDeps,
  state: MonitorState,
  kind: QuotaKind,
  chunk: Array<[string, RetryEntry]>,
  call: Call,
): Promise<{ state: MonitorState; events: AlertEvent[]; submitted: number; held: string | null; code?: string }> {
  const now = deps.now();
  const retries = { ...state.autoRefresh.retries };
  for (const [p, r] of chunk) retries[p] = { ...r, intent: { atMs: now, attempt: r.attempts + 1 } };
  const withIntent = { ...state, autoRefresh: { ...state.autoRefresh, retries } };
  const { action, params } = request(
    kind,
    chunk.map(([p]) => p),
  );
  const settleAll = (patch: (r: RetryEntry) => RetryEntry) => {
    const next = { ...withIntent.autoRefresh.retries };
    for (const [p] of chunk) next[p] = patch(next[p]!);
    return next;
  };
  try {
    const body = await call(action, params, () => deps.save(withIntent));
    const taskId = String(body.RefreshTaskId ?? body.PreloadTaskId ?? '').split(',')[0] ?? '';
    const next = settleAll((r) => ({ ...r, attempts: r.intent!.attempt, intent: null, lastTaskId: taskId || null, submittedAtMs: now, heldSinceMs: null }));
    const used = { ...state.autoRefresh.used, [kind]: state.autoRefresh.used[kind] + chunk.length };
    const events: AlertEvent[] = chunk.map(([p, r]) => ({
      kind: 'resubmitted',
      key: resubmittedKey(rowKey(r.task.taskId, p), r.attempts + 1),
      task: r.task,
      newTaskId: taskId || '(not given)',
      attempt: r.attempts + 1,
      maxAttempts: deps.settings.maxRetries,
    }));
    deps.logger.info({ event: 'auto-refresh-submitted', action, urls: chunk.length, taskId }, 'failed URLs re-submitted');
    return { state: { ...withIntent, autoRefresh: { ...withIntent.autoRefresh, retries: next, used } }, events, submitted: chunk.length, held: null };
  } catch (err) {
    if (!(err instanceof VodError)) throw err;
    const done = (retries: MonitorState['autoRefresh']['retries'], events: AlertEvent[] = []) => ({
      state: { ...withIntent, autoRefresh: { ...withIntent.autoRefresh, retries } },
      events,
      submitted: 0,
      held: `${kind}: ${err.code}`,
      code: err.code,
    });
    if (callMayHaveArrived(err.code)) {
      // It may have arrived: it counts as made, and a human is called if no new row for the URL appears in time.
      deps.logger.warn(
        { event: 'auto-refresh-uncertain', action, code: err.code, urls: chunk.length },
        `re-submission may or may not have been made: ${err.code}`,
      );
      return done(settleAll((r) => ({ ...r, attempts: r.intent!.attempt, intent: null, submittedAtMs: now, heldSinceMs: null })));
    }
    // The API answered with a refusal: nothing was submitted.
    deps.logger.warn({ event: 'auto-refresh-refused', action, code: err.code, urls: chunk.length }, `re-submission not made: ${err.code}`);
    if (refusalPasses(err.code) || err.retryable)
      return done(
        settleAll((r) => ({
          ...r,
          intent: null,
          heldSinceMs: r.heldSinceMs ?? now,
          heldBy: `the API answered ${err.code}`,
          nextAtMs: now + WAIT_AFTER_REFUSAL_MS,
        })),
      );
    const why = `the API refused it (${err.code})`;
    return done(
      settleAll((r) => ({ ...r, intent: null, stopped: why })),
      [
        handOverNotice(
          chunk.map(([path, entry]) => ({ path, entry, why })),
          now,
        ),
      ],
    );
  }
}

/** Failed URLs the monitor meant to re-submit and will not: listed, with why, so a human takes over. It rings. */
function handOverNotice(items: ReadonlyArray<{ path: string; entry: RetryEntry; why: string }>, nowMs: number): AlertEvent {
  const shown = items
    .slice(0, 10)
    .map((i) => `${inert(i.path, 200)} (TaskId ${inert(i.entry.task.taskId, 64)}, ${inert(i.entry.task.description ?? 'no Description', 60)}: ${i.why})`);
  const more = items.length > shown.length ? `, and ${items.length - shown.length} more` : '';
  const first = items[0]!;
  return {
    kind: 'notice',
    key: noticeKey(`auto-refresh-handover:${rowKey(first.entry.task.taskId, first.path)}`, { at: nowMs }),
    code: 'AutoRefreshRefused',
    message: `${items.length} failed URL(s) will not be re-submitted automatically. They need a human: ${shown.join('; ')}${more}.`,
  };
}

/** The "automatic retries are held" notice, once a day. */
function pausedNotice(state: MonitorState, nowMs: number, why: string): AlertEvent | null {
  if (state.autoRefresh.pausedNoticeDay === quotaDay(nowMs)) return null;
  return {
    kind: 'notice',
    key: noticeKey('auto-refresh-held', { day: quotaDay(nowMs) }),
    code: 'AutoRefreshHeld',
    message: `Automatic re-submission is held: ${why}.`,
  };
}
