import { domainOf, type AlertEvent } from './alert/model';
import { deliver } from './alert/deliver';
import type { Notifier } from './alert/notifier';
import { renderMessages, type RenderedMessage, type RenderOptions } from './alert/render';
import type { Config } from './config';
import { detect, markDelivered, nextHealth, type ReadOutcome } from './detect';
import { chooseFollowUp, planScan, type ScanPlan } from './plan';
import type { Logger, Runtime } from './ports';
import { DEFAULT_RETRY, type RetryPolicy } from './retry';
import { emptyState, StateError, type MonitorState } from './state/schema';
import type { StateStore } from './state/file-store';
import type { RefreshTaskApi } from './vod/client';
import { VodError } from './vod/errors';
import { createPacer } from './vod/pacer';
import { MAX_PAGE_SIZE } from './vod/params';
import { TaskReader } from './vod/reader';
import { KNOWN_STATUSES, type RefreshTask } from './vod/types';

export interface MonitorDeps extends Runtime {
  readonly config: Config;
  readonly api: RefreshTaskApi;
  /** API calls made so far by `api`. */
  readonly apiCalls: () => number;
  readonly store: StateStore;
  readonly notifier: Notifier;
  /** Epoch ms by which the run must have saved its state. */
  readonly deadlineMs: number;
  readonly retryPolicy?: RetryPolicy;
}

export interface RunOptions {
  readonly dryRun: boolean;
  readonly triggerTime: string | null;
}

/** What one run did; returned by the handler and logged as `run-report`. */
export interface RunReport {
  readonly status: 'ok' | 'degraded' | 'skipped' | 'duplicate';
  readonly dryRun: boolean;
  readonly reason?: string;
  readonly tasksScanned: number;
  readonly failures: { readonly seen: number; readonly new: number; readonly backlog: number };
  readonly stuck: number;
  readonly recovered: number;
  readonly alerts: { readonly messagesSent: number; readonly delivered: number; readonly pending: number; readonly error?: { code: string; reason: string } };
  readonly scan: { readonly mode: string; readonly complete: boolean; readonly error?: { code: string; message: string } };
  readonly health: 'ok' | 'down';
  readonly apiCalls: number;
  readonly durationMs: number;
  readonly stateError?: string;
  /** Dry runs only: the messages that would have been sent. */
  readonly preview?: Array<{ title: string; text: string }>;
}

interface ReadResult {
  tasks: RefreshTask[];
  vanished: string[];
  complete: boolean;
  mode: string;
  error: VodError | null;
}

async function lookups(reader: TaskReader, ids: string[]): Promise<{ found: RefreshTask[]; missing: string[] }> {
  const results = await Promise.all(ids.map(async (id) => [id, await reader.byTaskId(id)] as const));
  return { found: results.flatMap(([, t]) => (t ? [t] : [])), missing: results.filter(([, t]) => !t).map(([id]) => id) };
}

/** Reads what the plan needs at the lowest cost: one page when fewer than 50 tasks are in the window. */
async function readTasks(reader: TaskReader, plan: ScanPlan, logger: Logger): Promise<ReadResult> {
  const tasks: RefreshTask[] = [];
  let mode = plan.full ? 'full' : 'incremental';
  try {
    const first = await reader.page({ startTime: new Date(plan.wideStartMs), endTime: new Date(plan.endMs), pageSize: MAX_PAGE_SIZE, pageNumber: 1 });
    if (first.totalCount <= MAX_PAGE_SIZE) {
      tasks.push(...first.tasks);
    } else if (plan.full) {
      tasks.push(...(await reader.scan({ startMs: plan.wideStartMs, endMs: plan.endMs, firstPage: first })).tasks);
    } else {
      const seen = new Set(first.tasks.map((t) => t.taskId));
      const oldest = Math.min(...first.tasks.map((t) => t.createdAtMs ?? Infinity));
      const unseen = plan.watchedIds.filter((id) => !seen.has(id));
      const follow = chooseFollowUp({ totalCount: first.totalCount, pageSize: MAX_PAGE_SIZE, newCovered: oldest < plan.newSinceMs, unseenWatched: unseen, wideEqualsNew: plan.wideStartMs >= plan.newSinceMs });
      mode = `incremental+${follow.kind}`;
      if (follow.kind === 'read-wide') {
        tasks.push(...(await reader.scan({ startMs: plan.wideStartMs, endMs: plan.endMs, firstPage: first })).tasks);
      } else if (follow.kind === 'lookup') {
        tasks.push(...first.tasks, ...(await lookups(reader, follow.ids)).found);
      } else {
        const fresh = await reader.scan({ startMs: plan.newSinceMs, endMs: plan.endMs });
        tasks.push(...fresh.tasks);
        const freshIds = new Set(fresh.tasks.map((t) => t.taskId));
        const still = unseen.filter((id) => !freshIds.has(id));
        const olderPages = Math.ceil(Math.max(0, first.totalCount - fresh.totalCount) / MAX_PAGE_SIZE);
        if (still.length <= olderPages) tasks.push(...(await lookups(reader, still)).found);
        else tasks.push(...(await reader.scan({ startMs: plan.wideStartMs, endMs: plan.newSinceMs })).tasks);
      }
    }
  } catch (err) {
    const error = err instanceof VodError ? err : new VodError({ code: 'UnknownError', message: 'unexpected failure while reading tasks', retryable: false });
    logger.error({ event: 'scan-failed', err: error.toJSON(), tasksSoFar: tasks.length }, `cannot read refresh tasks: ${error.code}`);
    return { tasks, vanished: [], complete: false, mode, error };
  }
  const ids = new Set(tasks.map((t) => t.taskId));
  return { tasks, vanished: plan.watchedIds.filter((id) => !ids.has(id)), complete: true, mode, error: null };
}

function wanted(config: Config): (t: RefreshTask) => boolean {
  const domains = new Set(config.vod.domains);
  const types = new Set<string>(config.vod.objectTypes);
  return (t) => (domains.size === 0 || domains.has(domainOf(t.objectPath))) && (types.size === 3 || types.has(t.objectType));
}

/** The render options a config implies. */
export function renderOptionsOf(config: Config, maxBodyBytes: number): RenderOptions {
  return {
    monitorName: config.alert.monitorName,
    keywords: config.alert.keywords,
    mentions: { atMobiles: config.alert.atMobiles, atUserIds: config.alert.atUserIds, atAllMinFailures: config.alert.atAllMinFailures },
    maxBodyBytes,
    hint: config.alert.hint,
    stuckAfterMinutes: Math.round(config.stuckAfterMs / 60_000),
  };
}

/**
 * One monitoring pass: lock -> load state -> read -> decide -> save (the outbox is durable before anything is
 * sent) -> deliver -> mark delivered -> save. A crash at any point repeats an alert at worst; none is lost.
 */
export async function runMonitor(deps: MonitorDeps, options: RunOptions): Promise<RunReport> {
  const started = deps.now();
  const { config, logger, store } = deps;
  const base = { dryRun: options.dryRun, tasksScanned: 0, failures: { seen: 0, new: 0, backlog: 0 }, stuck: 0, recovered: 0, alerts: { messagesSent: 0, delivered: 0, pending: 0 }, scan: { mode: 'none', complete: false } };
  const lockTtl = Math.max(60_000, deps.deadlineMs - started + 30_000);
  if (!options.dryRun && !(await store.lock(lockTtl, started))) {
    logger.warn({ event: 'run-skipped', reason: 'locked' }, 'another run holds the state lock; this run does nothing');
    return { ...base, status: 'skipped', reason: 'another run holds the state lock', health: 'ok', apiCalls: 0, durationMs: deps.now() - started };
  }
  try {
    let loaded: MonitorState | null;
    let stateError: StateError | null = null;
    try {
      loaded = await store.load();
    } catch (err) {
      if (!(err instanceof StateError) || err.code === 'StateIo') throw err;
      stateError = err;
      loaded = null;
      logger.error({ event: 'state-refused', code: err.code, keptAt: err.keptAt }, `${err.message}; continuing as a first run (only recent failures are listed)`);
    }
    let state = loaded ?? emptyState(started);
    if (stateError) {
      const event: AlertEvent = { kind: 'state-reset', key: `state-reset:${started}`, reason: stateError.message, keptAt: stateError.keptAt ?? store.location };
      state = { ...state, outbox: [{ event, queuedAtMs: started }] };
    }
    if (options.triggerTime && state.lastTrigger === options.triggerTime) {
      logger.info({ event: 'run-skipped', reason: 'duplicate', triggerTime: options.triggerTime }, 'this timer event was already handled');
      return { ...base, status: 'duplicate', reason: `timer event ${options.triggerTime} was already handled`, health: state.health.status, apiCalls: 0, durationMs: deps.now() - started };
    }

    const reserve = Math.min(20_000, Math.max(2_000, (deps.deadlineMs - started) * 0.25));
    const reader = new TaskReader({
      api: deps.api,
      pacer: createPacer(config.vod.concurrency, config.vod.requestsPerSecond),
      retryPolicy: deps.retryPolicy ?? DEFAULT_RETRY,
      now: deps.now,
      sleep: deps.sleep,
      random: deps.random,
      logger,
      deadlineMs: deps.deadlineMs - reserve,
      maxPages: config.vod.maxPages,
    });
    const callsBefore = deps.apiCalls();
    const plan = planScan(loaded, started, config.vod.overlapMs);
    const read = await readTasks(reader, plan, logger);
    const keep = wanted(config);
    const observed = read.tasks.filter(keep);
    const nowMs = deps.now();
    const decided = detect({
      state,
      firstRun: loaded === null,
      tasks: observed,
      vanished: read.vanished,
      completeScanEndMs: read.complete ? plan.endMs : null,
      nowMs,
      config: { stuckAfterMs: config.stuckAfterMs, firstRunLookbackMs: config.firstRunLookbackMs },
    });
    if (decided.dropped.length) logger.info({ event: 'watch-dropped', taskIds: decided.dropped.slice(0, 20), count: decided.dropped.length }, 'stopped watching unfinished tasks the API no longer holds');
    for (const t of observed) {
      if (!(KNOWN_STATUSES as readonly string[]).includes(t.status)) logger.warn({ event: 'unknown-status', taskId: t.taskId, status: t.status }, 'a task has a status this build does not know; it is watched as unfinished');
    }
    const outcome: ReadOutcome = read.error ? { ok: false, code: read.error.code, message: read.error.message } : { ok: true };
    const health = nextHealth(decided.state, outcome, nowMs);
    state = health.state;
    const events = [...decided.newEvents, ...(health.event ? [health.event] : [])];
    const count = (k: AlertEvent['kind']) => events.filter((e) => e.kind === k).length;

    const renderOptions = renderOptionsOf(config, deps.notifier.maxBodyBytes);
    const messages: RenderedMessage[] = renderMessages(
      state.outbox.map((o) => o.event),
      renderOptions,
      (m) => deps.notifier.measure(m),
    );
    const summary = {
      tasksScanned: read.tasks.length,
      failures: { seen: decided.counts.failuresSeen, new: count('failed'), backlog: decided.counts.backlog },
      stuck: count('stuck'),
      recovered: count('recovered'),
      scan: { mode: read.mode, complete: read.complete, ...(read.error ? { error: { code: read.error.code, message: read.error.message } } : {}) },
      health: state.health.status,
      ...(stateError ? { stateError: stateError.message } : {}),
    };
    if (options.dryRun) {
      return {
        ...summary,
        status: read.error ? 'degraded' : 'ok',
        dryRun: true,
        alerts: { messagesSent: 0, delivered: 0, pending: state.outbox.length },
        apiCalls: deps.apiCalls() - callsBefore,
        durationMs: deps.now() - started,
        preview: messages.map((m) => ({ title: m.title, text: m.text })),
      };
    }
    // The outbox is durable before anything is sent: a crash from here on repeats an alert, never loses one.
    await store.save(state);
    const delivery = await deliver(messages, state.recentSends, {
      notifier: deps.notifier,
      logger,
      now: deps.now,
      sleep: deps.sleep,
      random: deps.random,
      deadlineMs: deps.deadlineMs - 1000,
      retryPolicy: deps.retryPolicy ?? DEFAULT_RETRY,
      maxPerMinute: config.alert.maxPerMinute,
    });
    state = markDelivered(state, delivery.delivered, deps.now());
    const apiCalls = deps.apiCalls() - callsBefore;
    state = {
      ...state,
      recentSends: delivery.recentSends,
      lastTrigger: options.triggerTime ?? state.lastTrigger,
      lastRun: { atMs: started, complete: read.complete, apiCalls },
    };
    await store.save(state);
    return {
      ...summary,
      status: read.error || delivery.stoppedBy ? 'degraded' : 'ok',
      dryRun: false,
      alerts: { messagesSent: delivery.sent, delivered: delivery.delivered.size, pending: state.outbox.length, ...(delivery.stoppedBy ? { error: delivery.stoppedBy } : {}) },
      apiCalls,
      durationMs: deps.now() - started,
    };
  } finally {
    if (!options.dryRun) await store.unlock();
  }
}
