import { ChangeQueue } from './change-queue';
import { RowLookup } from './lookup';
import { OpenTasks, type Submission } from './merge';
import { type QueryResult, queryFew, queryIndex, type RowQuery } from './query';
import { apiTime, compareIds, compareRows, hostOf, type RowPatch, type SimTask, type StoredRow } from './row';
import { SortedIndex } from './sorted-index';

export { seedHistory } from './history';
export { type Fate, MAX_ROWS_PER_TASK, type Submission } from './merge';
export type { QueryResult, RowQuery } from './query';
export type { RowPatch, SimTask } from './row';

/** A row to add: TaskId defaults to a fresh id, ObjectType to `file`, Status to `Complete`, Process to match. */
export type RowInput = Partial<SimTask> & { ObjectPath: string; creationMs: number };

/** Rows of the simulated API, identified by (TaskId, ObjectPath), indexed to answer a page of a million rows in milliseconds. */
export class TaskStore {
  private readonly everything = new SortedIndex();
  private readonly byType = new Map<string, SortedIndex>();
  private readonly byTypeStatus = new Map<string, Map<string, SortedIndex>>();
  private readonly byId = new RowLookup();
  private readonly byPath = new RowLookup();
  private readonly changes = new ChangeQueue();
  private readonly openTasks = new OpenTasks();
  private nextId = 700_000_000;

  /** Number of rows. */
  get size(): number {
    return this.everything.size;
  }

  /** A TaskId never handed out before. */
  nextTaskId(): string {
    return String(this.nextId++);
  }

  /** Adds one row and returns it; throws if its (TaskId, ObjectPath) exists already. */
  add(input: RowInput): SimTask {
    return this.addMany([input])[0]!;
  }

  /** Adds many rows with one index update (fastest when they come oldest first); all or none are added. */
  addMany(inputs: readonly RowInput[]): SimTask[] {
    const added: StoredRow[] = [];
    try {
      for (const input of inputs) {
        const row = this.makeRow(input);
        this.byId.add(row.TaskId, row);
        this.byPath.add(row.ObjectPath, row);
        added.push(row);
      }
    } catch (err) {
      for (const row of added) this.unmap(row);
      throw err;
    }
    let ordered = true;
    for (let i = 1; i < added.length && ordered; i++) ordered = compareRows(added[i - 1]!, added[i]!) <= 0;
    this.indexAll(ordered ? added : [...added].sort(compareRows));
    return added;
  }

  /** Changes every row of a TaskId; returns the first (see rowsOf for all). */
  update(taskId: string, patch: RowPatch): SimTask {
    const rows = this.byId.get(taskId);
    if (rows.length === 0) throw new Error(`no simulated task ${taskId}`);
    for (const row of rows) this.apply(row, patch);
    return rows[0]!;
  }

  /** Changes one row. Status Complete sets Process 100% unless given; Status Failed without a Description sets `Internal Error`. */
  updateRow(taskId: string, objectPath: string, patch: RowPatch): SimTask {
    const row = this.find(taskId, objectPath);
    if (!row) throw new Error(`no simulated row ${taskId} ${objectPath}`);
    this.apply(row, patch);
    return row;
  }

  /** The first row added under a TaskId. */
  get(taskId: string): SimTask | undefined {
    return this.byId.first(taskId);
  }

  /** Every row of a TaskId, newest first as the API lists them. */
  rowsOf(taskId: string): SimTask[] {
    return [...this.byId.get(taskId)].sort((a, b) => compareRows(b, a));
  }

  /** Every row, oldest first. */
  all(): SimTask[] {
    return this.everything.toArray();
  }

  /** Creates the rows of a refresh or preload call, merged into TaskIds by domain, second and kind; schedules their fates. */
  submit(submission: Submission): { taskIds: string[]; rows: SimTask[] } {
    const { kind, atMs } = submission;
    const second = Math.floor(atMs / 1000);
    const inputs: RowInput[] = [];
    const positions: number[] = [];
    const taskIds = new Set<string>();
    const taken = new Set<string>();
    submission.urls.forEach((url, index) => {
      const task = this.openTasks.slot(kind, hostOf(url), second, () => this.nextTaskId());
      const key = `${task.taskId}\n${url}`;
      // One id lists a URL once: a URL it already holds is not added again.
      if (taken.has(key) || this.find(task.taskId, url)) return;
      taken.add(key);
      task.count++;
      taskIds.add(task.taskId);
      inputs.push({ TaskId: task.taskId, ObjectPath: url, ObjectType: kind, Status: submission.status ?? 'Refreshing', Process: '0%', creationMs: atMs });
      positions.push(index);
    });
    const rows = this.addMany(inputs);
    rows.forEach((row, k) => {
      const fate = submission.fate?.(row.ObjectPath, positions[k]!, row);
      if (fate && 'afterMs' in fate) {
        const patch: RowPatch = { Status: fate.Status, ...(fate.Description !== undefined ? { Description: fate.Description } : {}) };
        this.schedule(row.TaskId, row.ObjectPath, atMs + fate.afterMs, patch);
      }
    });
    return { taskIds: [...taskIds], rows };
  }

  /** Queues a change to one row, applied by the first advance() at or after `atMs`. */
  schedule(taskId: string, objectPath: string, atMs: number, patch: RowPatch): void {
    if (!this.find(taskId, objectPath)) throw new Error(`no simulated row ${taskId} ${objectPath}`);
    this.changes.push({ atMs, taskId, objectPath, patch });
  }

  /** Applies every scheduled change due at `nowMs` or before, earliest first; returns how many. */
  advance(nowMs: number): number {
    let applied = 0;
    for (let change = this.changes.popDue(nowMs); change; change = this.changes.popDue(nowMs)) {
      const row = this.find(change.taskId, change.objectPath);
      if (row) {
        this.apply(row, change.patch);
        applied++;
      }
    }
    return applied;
  }

  /** The rows a query matches, newest first, paged; index lookups, never a sort of the whole store. */
  query(q: RowQuery): QueryResult {
    if (q.taskId !== undefined) return queryFew(this.byId.get(q.taskId), q);
    if (q.objectPath !== undefined) return queryFew(this.byPath.get(q.objectPath), q);
    if (q.objectType === undefined) return queryIndex(this.everything, q, { type: false, status: false });
    const index = q.status === undefined ? this.byType.get(q.objectType) : this.byTypeStatus.get(q.objectType)?.get(q.status);
    return index ? queryIndex(index, q, { type: true, status: q.status !== undefined }) : { total: 0, rows: [] };
  }

  private find(taskId: string, objectPath: string): StoredRow | undefined {
    return this.byPath.find(objectPath, (r) => r.TaskId === taskId);
  }

  private makeRow(input: RowInput): StoredRow {
    const taskId = input.TaskId ?? this.nextTaskId();
    // A given numeric id at or past the next fresh one moves it on, so fresh ids never collide with given ones.
    if (input.TaskId !== undefined && compareIds(taskId, String(this.nextId)) >= 0 && /^\d{1,15}$/.test(taskId)) this.nextId = Number(taskId) + 1;
    if (this.find(taskId, input.ObjectPath)) throw new Error(`the row (${taskId}, ${input.ObjectPath}) exists already`);
    const createdMs = input.CreationTime !== undefined ? parseCreation(input.CreationTime) : Math.floor(input.creationMs / 1000) * 1000;
    const status = input.Status ?? 'Complete';
    return {
      TaskId: taskId,
      ObjectPath: input.ObjectPath,
      ObjectType: input.ObjectType ?? 'file',
      Status: status,
      Process: input.Process ?? (status === 'Complete' ? '100%' : '0%'),
      CreationTime: apiTime(createdMs),
      Description: input.Description,
      createdMs,
    };
  }

  private apply(row: StoredRow, patch: RowPatch): void {
    const createdMs = patch.CreationTime !== undefined ? parseCreation(patch.CreationTime) : row.createdMs;
    const moves = createdMs !== row.createdMs || (patch.ObjectType !== undefined && patch.ObjectType !== row.ObjectType);
    const restatus = patch.Status !== undefined && patch.Status !== row.Status;
    // Out of the indexes under the old key, back in under the new one.
    if (moves) this.unindex(row);
    else if (restatus) this.statusIndex(row).remove(row);
    if (patch.ObjectType !== undefined) row.ObjectType = patch.ObjectType;
    if (patch.Status !== undefined) row.Status = patch.Status;
    if (patch.Process !== undefined) row.Process = patch.Process;
    if ('Description' in patch) row.Description = patch.Description;
    if (createdMs !== row.createdMs) {
      row.createdMs = createdMs;
      row.CreationTime = apiTime(createdMs);
    }
    if (patch.Status === 'Complete' && patch.Process === undefined) row.Process = '100%';
    if (patch.Status === 'Failed' && row.Description === undefined) row.Description = 'Internal Error';
    if (moves) this.indexAll([row]);
    else if (restatus) this.statusIndex(row).insert(row);
  }

  /** Files rows (in the store's order) into the global, per-type and per-(type, status) indexes. */
  private indexAll(rows: readonly StoredRow[]): void {
    const groups = new Map<SortedIndex, StoredRow[]>();
    const group = (index: SortedIndex, row: StoredRow) => {
      const list = groups.get(index);
      if (list) list.push(row);
      else groups.set(index, [row]);
    };
    for (const row of rows) {
      group(this.typeIndex(row), row);
      group(this.statusIndex(row), row);
    }
    groups.set(this.everything, rows as StoredRow[]);
    for (const [index, list] of groups) index.insertSorted(list);
  }

  private unindex(row: StoredRow): void {
    this.everything.remove(row);
    this.typeIndex(row).remove(row);
    this.statusIndex(row).remove(row);
  }

  private unmap(row: StoredRow): void {
    this.byId.remove(row.TaskId, row);
    this.byPath.remove(row.ObjectPath, row);
  }

  private typeIndex(row: StoredRow): SortedIndex {
    return getOrCreate(this.byType, row.ObjectType, () => new SortedIndex());
  }

  private statusIndex(row: StoredRow): SortedIndex {
    return getOrCreate(
      getOrCreate(this.byTypeStatus, row.ObjectType, () => new Map()),
      row.Status,
      () => new SortedIndex(),
    );
  }
}

function getOrCreate<T>(map: Map<string, T>, key: string, create: () => T): T {
  let value = map.get(key);
  if (value === undefined) {
    value = create();
    map.set(key, value);
  }
  return value;
}

function parseCreation(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`CreationTime ${text} is not a time`);
  return Math.floor(ms / 1000) * 1000;
}
