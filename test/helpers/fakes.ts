import { Writable } from 'node:stream';
import { budget } from '../../lib/budget';
import type { Config } from '../../lib/config';
import { rowKey } from '../../lib/identity';
import { createLogger } from '../../lib/log';
import type { MonitorDeps } from '../../lib/monitor';
import type { Notifier, SendResult } from '../../lib/notify/notifier';
import type { RenderedMessage } from '../../lib/notify/render';
import { type AlertingPlan, singleRobot } from '../../lib/policy/load';
import { StateError } from '../../lib/state/errors';
import type { Loaded, LockHolder, StateStore } from '../../lib/state/file-store';
import type { MonitorState } from '../../lib/state/schema';
import type { RefreshTaskApi } from '../../lib/vod/client';
import { formatApiTime, parseApiTime } from '../../lib/vod/time';
import type { RefreshTask, TaskPage } from '../../lib/vod/types';

/** A clock that moves only when told to, and a sleep that moves it: no test waits on wall-clock time. */
export function fakeClock(startMs = Date.parse('2026-11-28T12:00:00Z')) {
  let t = startMs;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += Math.max(0, ms);
    },
    advance: (ms: number) => {
      t += ms;
    },
    set: (ms: number) => {
      t = ms;
    },
  };
}

/** A logger that writes nowhere. */
export const silentLogger = () => createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

/** One call the pipeline made to a fake, in order. */
export type Call = { readonly what: 'lock' | 'load' | 'quarantine' | 'save' | 'unlock' | 'send'; readonly detail?: unknown };

/** An in-memory StateStore that records every call in the shared `calls` log. */
export class MemoryStore implements StateStore {
  readonly location = 'memory://state';
  state: MonitorState | null = null;
  corrupt: string | null = null;
  failSaves = false;
  heldBy: LockHolder | null = null;
  constructor(readonly calls: Call[] = []) {}
  async load(): Promise<Loaded | null> {
    this.calls.push({ what: 'load' });
    if (this.corrupt) throw new StateError('StateCorrupt', this.corrupt);
    return this.state ? { state: structuredClone(this.state), migratedFrom: null } : null;
  }
  async quarantine(): Promise<string | null> {
    this.calls.push({ what: 'quarantine' });
    this.corrupt = null;
    return 'memory://state.bad';
  }
  async save(state: MonitorState): Promise<void> {
    if (this.failSaves) throw new StateError('StateIo', 'cannot write the state file (EACCES)');
    this.calls.push({ what: 'save', detail: { outbox: state.outbox.map((o) => o.event.key) } });
    this.state = structuredClone(state);
  }
  async lock(): Promise<{ held: true } | { held: false; holder: LockHolder }> {
    this.calls.push({ what: 'lock' });
    return this.heldBy ? { held: false, holder: this.heldBy } : { held: true };
  }
  async unlock(): Promise<void> {
    this.calls.push({ what: 'unlock' });
  }
  async probeWritable(): Promise<void> {
    if (this.failSaves) throw new StateError('StateIo', 'cannot write');
  }
}

/** A Notifier that records what it was asked to send, and answers from a script (ok by default). */
export class RecordingNotifier implements Notifier {
  readonly channel = 'fake';
  readonly sent: RenderedMessage[] = [];
  readonly script: Array<SendResult | ((m: RenderedMessage) => SendResult)> = [];
  constructor(
    readonly calls: Call[] = [],
    readonly maxBodyBytes = 20_000,
    private readonly onSend?: (m: RenderedMessage) => Promise<void>,
  ) {}
  measure(m: RenderedMessage): number {
    return Buffer.byteLength(JSON.stringify({ title: m.title, text: m.text }));
  }
  async send(m: RenderedMessage, _timeoutMs: number): Promise<SendResult> {
    this.calls.push({ what: 'send', detail: m.keys });
    await this.onSend?.(m);
    const next = this.script.shift() ?? { ok: true };
    const r = typeof next === 'function' ? next(m) : next;
    if (r.ok) this.sent.push(m);
    return r;
  }
}

/** A row for the fake API, in the API's field names. */
export interface FakeRow {
  TaskId: string;
  ObjectPath: string;
  ObjectType: string;
  Status: string;
  CreationTime: string;
  Description?: string;
}

/**
 * An in-memory implementation of the port the reader uses (not the client we ship, which is tested against the
 * loopback simulator): newest first, the filters of DescribeVodRefreshTasks, paging, TotalCount.
 */
export class FakeVodApi implements RefreshTaskApi {
  rows: FakeRow[] = [];
  calls: Array<Record<string, string>> = [];
  constructor(private readonly apiNow: () => number) {}
  add(row: Partial<FakeRow> & { ObjectPath: string; createdMs: number }): FakeRow {
    const { createdMs, ...rest } = row;
    const r: FakeRow = {
      TaskId: rest.TaskId ?? String(800_000_000 + this.rows.length),
      ObjectType: 'file',
      Status: 'Complete',
      ...rest,
      CreationTime: formatApiTime(createdMs),
    };
    this.rows.push(r);
    return r;
  }
  set(taskId: string, objectPath: string, patch: Partial<FakeRow>): void {
    const r = this.rows.find((x) => x.TaskId === taskId && x.ObjectPath === objectPath);
    if (!r) throw new Error('no such row');
    Object.assign(r, patch);
  }
  async describeRefreshTasks(params: Record<string, string>): Promise<TaskPage> {
    this.calls.push(params);
    const start = params.StartTime ? parseApiTime(params.StartTime)! : this.apiNow() - 3 * 86_400_000;
    const end = params.EndTime ? parseApiTime(params.EndTime)! : this.apiNow();
    const match = this.rows
      .filter((r) => {
        const t = parseApiTime(r.CreationTime)!;
        return (
          t >= start &&
          t <= end &&
          (!params.TaskId || r.TaskId === params.TaskId) &&
          (!params.ObjectPath || r.ObjectPath === params.ObjectPath) &&
          (!params.ObjectType || r.ObjectType === params.ObjectType) &&
          (!params.Status || r.Status === params.Status)
        );
      })
      .sort((a, b) => b.CreationTime.localeCompare(a.CreationTime) || b.TaskId.localeCompare(a.TaskId) || a.ObjectPath.localeCompare(b.ObjectPath));
    const size = Number(params.PageSize ?? 20);
    const page = Number(params.PageNumber ?? 1);
    const tasks: RefreshTask[] = match.slice((page - 1) * size, page * size).map((r) => ({
      taskId: r.TaskId,
      objectPath: r.ObjectPath,
      objectType: r.ObjectType,
      status: r.Status,
      process: r.Status === 'Complete' ? '100%' : '0%',
      creationTime: r.CreationTime,
      createdAtMs: parseApiTime(r.CreationTime),
      description: r.Description ?? null,
    }));
    return {
      tasks,
      pageNumber: page,
      pageSize: size,
      totalCount: match.length,
      requestId: null,
      skipped: [],
      serverDateMs: Math.floor(this.apiNow() / 1000) * 1000,
    };
  }
}

/** The key of a fake row. */
export const keyOf = (r: { TaskId: string; ObjectPath: string }) => rowKey(r.TaskId, r.ObjectPath);

/**
 * runMonitor's dependencies over the fakes: the environment's one robot (`notifier`) unless an alerting plan and its
 * notifiers are given, and the budget of a `timeoutMs` run (default 120 s) starting now.
 */
export function fakeDeps(o: {
  config: Config;
  api: FakeVodApi;
  store: MemoryStore;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  notifier?: RecordingNotifier;
  alerting?: AlertingPlan;
  notifierOf?: MonitorDeps['notifierOf'];
  random?: number;
  timeoutMs?: number;
}): MonitorDeps {
  return {
    config: o.config,
    api: o.api,
    apiCalls: () => o.api.calls.length,
    store: o.store,
    alerting: o.alerting ?? singleRobot(o.config),
    notifierOf: o.notifierOf ?? (() => o.notifier!),
    logger: silentLogger(),
    now: o.now,
    sleep: o.sleep,
    random: () => o.random ?? 0,
    budget: budget(o.now(), o.timeoutMs ?? 120_000, o.config.alert.timeoutMs),
  };
}
