import { domainOf, failureClass, type AlertEvent, type TaskFacts } from './alert/model';
import type { MonitorState, OutboxEntry } from './state/schema';
import { QUERY_WINDOW_MS } from './vod/time';
import type { RefreshTask } from './vod/types';

/** How long a delivered key is remembered: the API forgets a task after 3 days, and we keep an hour more. */
export const KEY_TTL_MS = QUERY_WINDOW_MS + 3600_000;
/** Unfinished tasks watched at most; beyond it the oldest are dropped with a log line. */
export const MAX_WATCHED = 5000;

export interface DetectConfig {
  readonly stuckAfterMs: number;
  /** On a first run, failures older than this are counted, not listed. */
  readonly firstRunLookbackMs: number;
}

export interface DetectInput {
  readonly state: MonitorState;
  /** Whether the state was empty before this run (first run). */
  readonly firstRun: boolean;
  /** Tasks observed this run, already filtered to the watched domains and types. */
  readonly tasks: readonly RefreshTask[];
  /** Watched TaskIds the API no longer holds. */
  readonly vanished: readonly string[];
  /** End of the scan when it covered its whole window; null when it did not. */
  readonly completeScanEndMs: number | null;
  readonly nowMs: number;
  readonly config: DetectConfig;
}

/** Why a task did or did not produce an alert, for logs and tests (alertmanager's NotifyReason). */
export type Verdict =
  | 'new-failure'
  | 'already-reported'
  | 'backlog'
  | 'stuck'
  | 'watching'
  | 'recovered'
  | 'complete';

export interface DetectOutput {
  readonly state: MonitorState;
  readonly newEvents: AlertEvent[];
  readonly verdicts: ReadonlyMap<string, Verdict>;
  readonly counts: { readonly failuresSeen: number; readonly backlog: number };
  /** Unfinished tasks dropped because they left the 3-day window or the API no longer holds them. */
  readonly dropped: string[];
}

/** The alert-facing facts of a task. */
export function factsOf(task: RefreshTask): TaskFacts {
  return {
    taskId: task.taskId,
    objectPath: task.objectPath,
    objectType: task.objectType,
    status: task.status,
    description: task.description,
    creationTime: task.creationTime,
    domain: domainOf(task.objectPath),
  };
}

/** The keys that are delivered or waiting to be. */
export function knownKeys(state: MonitorState): Set<string> {
  return new Set([...Object.keys(state.reported), ...state.outbox.map((o) => o.event.key)]);
}

function byCreation(a: RefreshTask, b: RefreshTask): number {
  return (a.createdAtMs ?? Infinity) - (b.createdAtMs ?? Infinity) || a.taskId.localeCompare(b.taskId);
}

/**
 * Decides, from what one run observed, which failures are new, which tasks are stuck and which failed paths
 * recovered; returns the next state with the new events appended to the outbox. Pure: time comes in as `nowMs`.
 */
export function detect(input: DetectInput): DetectOutput {
  const { nowMs, config } = input;
  const prev = input.state;
  const known = knownKeys(prev);
  const reported = { ...prev.reported };
  const watching = { ...prev.watching };
  const failedPaths = { ...prev.failedPaths };
  const newEvents: AlertEvent[] = [];
  const verdicts = new Map<string, Verdict>();
  const backlog = { count: 0, byDescription: {} as Record<string, number>, sinceMs: Infinity, untilMs: -Infinity };
  let failuresSeen = 0;
  const emit = (e: AlertEvent) => {
    newEvents.push(e);
    known.add(e.key);
  };

  for (const task of [...input.tasks].sort(byCreation)) {
    const createdAtMs = task.createdAtMs ?? watching[task.taskId]?.createdAtMs ?? nowMs;
    const facts = factsOf(task);
    if (task.status === 'Failed') {
      failuresSeen++;
      delete watching[task.taskId];
      const key = `failed:${task.taskId}`;
      if (known.has(key)) {
        verdicts.set(task.taskId, 'already-reported');
      } else if (input.firstRun && createdAtMs < nowMs - config.firstRunLookbackMs) {
        // A fresh deploy must not page on-call for three days of history: count it, remember it as told.
        backlog.count++;
        const cls = failureClass(task.description);
        backlog.byDescription[cls] = (backlog.byDescription[cls] ?? 0) + 1;
        backlog.sinceMs = Math.min(backlog.sinceMs, createdAtMs);
        backlog.untilMs = Math.max(backlog.untilMs, createdAtMs);
        reported[key] = createdAtMs + KEY_TTL_MS;
        known.add(key);
        verdicts.set(task.taskId, 'backlog');
        continue;
      } else {
        emit({ kind: 'failed', key, task: facts });
        verdicts.set(task.taskId, 'new-failure');
      }
      const last = failedPaths[task.objectPath];
      if (!last || last.createdAtMs <= createdAtMs) {
        failedPaths[task.objectPath] = { taskId: task.taskId, createdAtMs, description: task.description };
      }
    } else if (task.status === 'Complete') {
      delete watching[task.taskId];
      const failed = failedPaths[task.objectPath];
      if (failed && failed.taskId !== task.taskId && createdAtMs >= failed.createdAtMs) {
        delete failedPaths[task.objectPath];
        const key = `recovered:${failed.taskId}`;
        if (!known.has(key)) {
          emit({ kind: 'recovered', key, task: facts, failedTaskId: failed.taskId, failedDescription: failed.description });
          verdicts.set(task.taskId, 'recovered');
          continue;
        }
      }
      verdicts.set(task.taskId, 'complete');
    } else {
      // Refreshing, Pending, or a status this build does not know: unfinished, so watched until it ends.
      watching[task.taskId] = { task: facts, createdAtMs };
      const key = `stuck:${task.taskId}`;
      if (nowMs - createdAtMs > config.stuckAfterMs && !known.has(key)) {
        emit({ kind: 'stuck', key, task: facts, ageMinutes: Math.floor((nowMs - createdAtMs) / 60_000) });
        verdicts.set(task.taskId, 'stuck');
      } else {
        verdicts.set(task.taskId, 'watching');
      }
    }
  }

  if (backlog.count > 0) {
    emit({ kind: 'backlog', key: `backlog:${nowMs}`, count: backlog.count, byDescription: backlog.byDescription, sinceMs: backlog.sinceMs, untilMs: backlog.untilMs });
  }

  const dropped: string[] = [];
  const edge = nowMs - QUERY_WINDOW_MS;
  for (const id of input.vanished) {
    if (watching[id]) {
      delete watching[id];
      dropped.push(id);
    }
  }
  for (const [id, w] of Object.entries(watching)) {
    if (w.createdAtMs < edge) {
      delete watching[id];
      dropped.push(id);
    }
  }
  const ids = Object.keys(watching);
  if (ids.length > MAX_WATCHED) {
    ids.sort((a, b) => watching[a]!.createdAtMs - watching[b]!.createdAtMs);
    for (const id of ids.slice(0, ids.length - MAX_WATCHED)) {
      delete watching[id];
      dropped.push(id);
    }
  }
  for (const [key, expires] of Object.entries(reported)) if (expires < nowMs) delete reported[key];
  for (const [p, f] of Object.entries(failedPaths)) if (f.createdAtMs < edge) delete failedPaths[p];

  const outbox: OutboxEntry[] = [...prev.outbox, ...newEvents.map((event) => ({ event, queuedAtMs: nowMs }))];
  return {
    state: {
      ...prev,
      reported,
      watching,
      failedPaths,
      outbox,
      watermarkMs: input.completeScanEndMs ?? prev.watermarkMs,
    },
    newEvents,
    verdicts,
    counts: { failuresSeen, backlog: backlog.count },
    dropped,
  };
}

/** The outcome of this run's attempt to read the API. */
export type ReadOutcome = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string };

/**
 * The monitor's own health: "down" when the API could not be read (for good, or throttled through the whole
 * budget), "ok" again when a scan completes. An alert is raised only when the status changes.
 */
export function nextHealth(state: MonitorState, outcome: ReadOutcome, nowMs: number): { state: MonitorState; event: AlertEvent | null } {
  const h = state.health;
  if (outcome.ok) {
    if (h.status === 'ok') return { state, event: null };
    const event: AlertEvent = { kind: 'health-up', key: `health-up:${nowMs}`, code: h.code ?? 'unknown', downSinceMs: h.sinceMs };
    return {
      state: { ...state, health: { status: 'ok', sinceMs: nowMs, code: null, message: null }, outbox: [...state.outbox, { event, queuedAtMs: nowMs }] },
      event,
    };
  }
  if (h.status === 'down') {
    return { state: { ...state, health: { ...h, code: outcome.code, message: outcome.message } }, event: null };
  }
  const event: AlertEvent = { kind: 'health-down', key: `health-down:${nowMs}`, code: outcome.code, message: outcome.message, sinceMs: nowMs };
  return {
    state: { ...state, health: { status: 'down', sinceMs: nowMs, code: outcome.code, message: outcome.message }, outbox: [...state.outbox, { event, queuedAtMs: nowMs }] },
    event,
  };
}

/** Records delivered events: out of the outbox, into `reported` until the API has forgotten their task. */
export function markDelivered(state: MonitorState, keys: ReadonlySet<string>, nowMs: number): MonitorState {
  const reported = { ...state.reported };
  for (const entry of state.outbox) {
    if (!keys.has(entry.event.key)) continue;
    const e = entry.event;
    const created = 'task' in e && e.task.creationTime ? Date.parse(e.task.creationTime) : nowMs;
    if (e.kind === 'failed' || e.kind === 'stuck' || e.kind === 'recovered') reported[e.key] = (Number.isNaN(created) ? nowMs : created) + KEY_TTL_MS;
  }
  return { ...state, reported, outbox: state.outbox.filter((o) => !keys.has(o.event.key)) };
}
