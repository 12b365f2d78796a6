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

/** The API's order: newest first, then TaskId descending, then ObjectPath ascending. */
const apiOrder = (a: Indexed, b: Indexed) => b.ms - a.ms || b.row.TaskId.localeCompare(a.row.TaskId) || a.row.ObjectPath.localeCompare(b.row.ObjectPath);

type Indexed = { readonly row: FakeRow; readonly ms: number };

/** Rows sorted in the API's order when read, not on every add. */
class Bucket {
  private items: Indexed[] = [];
  private sorted = true;
  push(entry: Indexed): void {
    this.items.push(entry);
    this.sorted = false;
  }
  get(): readonly Indexed[] {
    if (!this.sorted) this.items.sort(apiOrder);
    this.sorted = true;
    return this.items;
  }
}

/** The first index of `sorted` (newest first) whose time is `<= ms`, or `sorted.length`. */
function firstAtOrBefore(sorted: readonly Indexed[], ms: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]!.ms > ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * An in-memory implementation of the port the reader uses (not the client we ship, which is tested against the
 * loopback simulator): newest first, the filters of DescribeVodRefreshTasks, paging, TotalCount. Rows are indexed by
 * time, TaskId and URL, so a call costs its window, not the whole account; change a row's fields through `set`
 * (Status and Description may also be assigned on the row `add` returned: they are read at every call).
 */
export class FakeVodApi implements RefreshTaskApi {
  readonly rows: FakeRow[] = [];
  calls: Array<Record<string, string>> = [];
  private all = new Bucket();
  private readonly byTask = new Map<string, Bucket>();
  private readonly byPath = new Map<string, Bucket>();
  private readonly byKey = new Map<string, FakeRow>();
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
    this.index(r);
    return r;
  }
  set(taskId: string, objectPath: string, patch: Partial<FakeRow>): void {
    const r = this.byKey.get(`${taskId}\n${objectPath}`);
    if (!r) throw new Error('no such row');
    Object.assign(r, patch);
    if ('TaskId' in patch || 'ObjectPath' in patch || 'CreationTime' in patch) this.reindex();
  }
  async describeRefreshTasks(params: Record<string, string>): Promise<TaskPage> {
    this.calls.push(params);
    const start = params.StartTime ? parseApiTime(params.StartTime)! : this.apiNow() - 3 * 86_400_000;
    const end = params.EndTime ? parseApiTime(params.EndTime)! : this.apiNow();
    const match = this.candidates(params, start, end).filter(
      ({ row: r, ms }) =>
        ms >= start &&
        ms <= end &&
        (!params.TaskId || r.TaskId === params.TaskId) &&
        (!params.ObjectPath || r.ObjectPath === params.ObjectPath) &&
        (!params.ObjectType || r.ObjectType === params.ObjectType) &&
        (!params.Status || r.Status === params.Status),
    );
    const size = Number(params.PageSize ?? 20);
    const page = Number(params.PageNumber ?? 1);
    const tasks: RefreshTask[] = match.slice((page - 1) * size, page * size).map(({ row: r, ms }) => ({
      taskId: r.TaskId,
      objectPath: r.ObjectPath,
      objectType: r.ObjectType,
      status: r.Status,
      process: r.Status === 'Complete' ? '100%' : '0%',
      creationTime: r.CreationTime,
      createdAtMs: ms,
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
  /** The rows a call may match, in the API's order: those of its TaskId or URL, else those of its time window. */
  private candidates(params: Record<string, string>, start: number, end: number): readonly Indexed[] {
    const keyed = params.TaskId ? this.byTask.get(params.TaskId) : params.ObjectPath ? this.byPath.get(params.ObjectPath) : undefined;
    if (keyed) return keyed.get();
    if (params.TaskId || params.ObjectPath) return [];
    const sorted = this.all.get();
    return sorted.slice(firstAtOrBefore(sorted, end), firstAtOrBefore(sorted, start - 1));
  }
  private index(row: FakeRow): void {
    const entry: Indexed = { row, ms: parseApiTime(row.CreationTime)! };
    this.all.push(entry);
    for (const [map, key] of [
      [this.byTask, row.TaskId],
      [this.byPath, row.ObjectPath],
    ] as const) {
      const bucket = map.get(key) ?? new Bucket();
      map.set(key, bucket);
      bucket.push(entry);
    }
    const key = `${row.TaskId}\n${row.ObjectPath}`;
    if (!this.byKey.has(key)) this.byKey.set(key, row);
  }
  private reindex(): void {
    this.all = new Bucket();
    this.byTask.clear();
    this.byPath.clear();
    this.byKey.clear();
    for (const row of this.rows) this.index(row);
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
