import { inert } from '../alert/escape';
import { type AlertEvent, domainOf } from '../alert/model';
import { rowKey } from '../identity';
import type { Runtime } from '../ports';
import { type RetryPolicy, retry } from '../retry';
import type { MonitorState, RetryEntry } from '../state/schema';
import type { RefreshWriteApi } from '../vod/client';
import { VodError } from '../vod/errors';
import type { Pacer } from '../vod/pacer';
import { type AutoRefreshSettings, allowance, dueRetries, KIND_OF, type QuotaKind, quotaDay, settle } from './plan';

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
/** Answers after which nothing was submitted for sure (the call can be made again). */
const NOT_SUBMITTED =
  /^(Throttling|QuotaExceeded|PreloadQueueFull|Invalid|ServiceBusy|IllegalOperation|OperationDenied|Forbidden|MissingParameter|DeadlineReached|SignatureDoesNotMatch)/;

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

/**
 * Submits the failed URLs that are due again, as the user would: RefreshVodObjectCaches (File or Directory) or
 * PreloadVodObjectCaches, one call per domain and kind, within the monitor's share of today's quota (read first
 * with DescribeVodRefreshQuota). The intent is saved before each call and settled after it, so a crash between
 * the two counts as a submission: a URL is never submitted beyond its retries by accident.
 */
export async function runAutoRefresh(
  deps: AutoRefreshDeps,
  state: MonitorState,
  nowMs: number,
): Promise<{ state: MonitorState; events: AlertEvent[]; report: AutoRefreshReport }> {
  let current: MonitorState = { ...state, autoRefresh: settle(state.autoRefresh, nowMs) };
  const due = dueRetries(current.autoRefresh, nowMs, deps.settings);
  const report = { due: due.length, submitted: 0, calls: 0, held: [] as string[] };
  const events: AlertEvent[] = [];
  if (due.length === 0) return { state: current, events, report };
  const call = async (action: Parameters<RefreshWriteApi['call']>[0], params: Record<string, string>, before?: () => Promise<void>) => {
    report.calls++;
    return retry(
      () =>
        deps.pacer.run(async (timeout) => {
          await before?.();
          return deps.api.call(action, params, timeout);
        }),
      deps.retryPolicy,
      {
        ...deps,
        deadlineMs: deps.deadlineMs,
        isRetryable: (e) => e instanceof VodError && e.code.startsWith('Throttling'),
      },
    );
  };
  let quota: Quota;
  try {
    quota = parseQuota(await call('DescribeVodRefreshQuota', {}));
  } catch (err) {
    if (!(err instanceof VodError)) throw err;
    report.held.push(`DescribeVodRefreshQuota: ${err.code}`);
    const notice = pausedNotice(current, nowMs, `the refresh quota cannot be read (${err.code}): the role needs deploy/ram-policy-auto-refresh.json`);
    return { state: { ...current, autoRefresh: { ...current.autoRefresh, pausedNoticeDay: quotaDay(nowMs) } }, events: notice ? [notice] : [], report };
  }
  const groups = new Map<string, Array<[string, RetryEntry]>>();
  for (const d of due) groups.set(`${KIND_OF[d[1].objectType]}|${domainOf(d[0])}`, [...(groups.get(`${KIND_OF[d[1].objectType]}|${domainOf(d[0])}`) ?? []), d]);
  for (const [group, entries] of groups) {
    const kind = group.split('|')[0] as QuotaKind;
    const allowed = allowance(quota[kind].quota, quota[kind].remain, current.autoRefresh.used[kind], deps.settings.quotaShare);
    if (allowed <= 0) {
      report.held.push(`${kind} quota share used`);
      continue;
    }
    const chunk = entries.slice(0, Math.min(allowed, PER_CALL[kind]));
    const outcome = await submitChunk(deps, current, kind, chunk, call);
    current = outcome.state;
    events.push(...outcome.events);
    report.submitted += outcome.submitted;
    if (outcome.held) report.held.push(outcome.held);
    if (outcome.submitted) quota[kind].remain -= outcome.submitted;
  }
  if (report.held.some((h) => /quota/i.test(h))) {
    const notice = pausedNotice(
      current,
      nowMs,
      `the monitor's share of today's refresh quota (AUTO_REFRESH_QUOTA_SHARE=${deps.settings.quotaShare}) is used, or the quota itself is spent; failed URLs wait, and are re-submitted from 00:00 UTC+8`,
    );
    if (notice) events.push(notice);
    current = { ...current, autoRefresh: { ...current.autoRefresh, pausedNoticeDay: quotaDay(nowMs) } };
  }
  return { state: current, events, report };
}

type Call = (action: Parameters<RefreshWriteApi['call']>[0], params: Record<string, string>, before?: () => Promise<void>) => Promise<Record<string, unknown>>;

async function submitChunk(
  deps: AutoRefreshDeps,
  state: MonitorState,
  kind: QuotaKind,
  chunk: Array<[string, RetryEntry]>,
  call: Call,
): Promise<{ state: MonitorState; events: AlertEvent[]; submitted: number; held: string | null }> {
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
    const next = settleAll((r) => ({ ...r, attempts: r.intent!.attempt, intent: null, lastTaskId: taskId || null }));
    const used = { ...state.autoRefresh.used, [kind]: state.autoRefresh.used[kind] + chunk.length };
    const events: AlertEvent[] = chunk.map(([p, r]) => ({
      kind: 'resubmitted',
      key: `resubmitted:${rowKey(r.task.taskId, p)}:${r.attempts + 1}`,
      task: r.task,
      newTaskId: taskId || '(not given)',
      attempt: r.attempts + 1,
      maxAttempts: deps.settings.maxRetries,
    }));
    deps.logger.info({ event: 'auto-refresh-submitted', action, urls: chunk.length, taskId }, 'failed URLs re-submitted');
    return { state: { ...withIntent, autoRefresh: { ...withIntent.autoRefresh, retries: next, used } }, events, submitted: chunk.length, held: null };
  } catch (err) {
    if (!(err instanceof VodError)) throw err;
    deps.logger.warn({ event: 'auto-refresh-refused', action, code: err.code, urls: chunk.length }, `re-submission not made: ${err.code}`);
    const sure = NOT_SUBMITTED.test(err.code);
    const stop = /^(InvalidDomain|IllegalOperation|InvalidObjectPath)/.test(err.code) ? `not re-submitted: the API refused it (${err.code})` : null;
    const later = err.code === 'PreloadQueueFull' ? now + 10 * 60_000 : null;
    const next = settleAll((r) =>
      sure ? { ...r, intent: null, stopped: stop ?? r.stopped, nextAtMs: later ?? r.nextAtMs } : { ...r, attempts: r.intent!.attempt, intent: null },
    );
    // Their failure was told as "re-submitted by the monitor" and rang nobody: now they need a human, and rings.
    const events = stop ? [stoppedNotice(chunk, err.code, now)] : [];
    return { state: { ...withIntent, autoRefresh: { ...withIntent.autoRefresh, retries: next } }, events, submitted: 0, held: `${kind}: ${err.code}` };
  }
}

/** URLs the API will not take again (an offline or unknown domain...): said at once, listed, so a human takes over. */
function stoppedNotice(chunk: ReadonlyArray<[string, RetryEntry]>, code: string, nowMs: number): AlertEvent {
  const shown = chunk
    .slice(0, 10)
    .map(([p, r]) => `${inert(p, 200)} (TaskId ${inert(r.task.taskId, 64)}, ${inert(r.task.description ?? 'no Description', 60)})`);
  const more = chunk.length > shown.length ? `, and ${chunk.length - shown.length} more` : '';
  return {
    kind: 'notice',
    key: `notice:auto-refresh-refused:${rowKey(chunk[0]![1].task.taskId, chunk[0]![0])}:${nowMs}`,
    code: 'AutoRefreshRefused',
    message: `${chunk.length} failed URL(s) could not be re-submitted automatically: the API refused it (${code}). They need a human: ${shown.join('; ')}${more}.`,
  };
}

/** The "automatic retries are held" notice, once a day. */
function pausedNotice(state: MonitorState, nowMs: number, why: string): AlertEvent | null {
  if (state.autoRefresh.pausedNoticeDay === quotaDay(nowMs)) return null;
  return { kind: 'notice', key: `notice:auto-refresh-held:${quotaDay(nowMs)}`, code: 'AutoRefreshHeld', message: `Automatic re-submission is held: ${why}.` };
}
