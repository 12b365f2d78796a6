/** A task as the simulated API stores it, in the API's own field names. */
export interface SimTask {
  TaskId: string;
  ObjectPath: string;
  ObjectType: string;
  Status: string;
  Process: string;
  CreationTime: string;
  Description?: string;
}

export const FAILURE_DESCRIPTIONS = ['Origin Timeout', 'Origin Return StatusCode 5XX', 'Internal Error'] as const;

/** Formats epoch ms as `yyyy-MM-ddTHH:mm:ssZ`. */
export function apiTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The simulator's tasks: tests and scripts add them and change them over time. */
export class TaskStore {
  private readonly tasks = new Map<string, SimTask>();
  private nextId = 700_000_000;
  private sortedCache: { tasks: SimTask[]; createdMs: Float64Array } | null = null;

  /** Adds a task; TaskId, Process and Status get defaults. Returns the stored task. */
  add(task: Partial<SimTask> & { ObjectPath: string; creationMs: number }): SimTask {
    const { creationMs, ...rest } = task;
    const stored: SimTask = {
      TaskId: rest.TaskId ?? String(this.nextId++),
      ObjectType: 'file',
      Status: 'Complete',
      Process: rest.Status === 'Complete' || rest.Status === undefined ? '100%' : '0%',
      ...rest,
      CreationTime: rest.CreationTime ?? apiTime(creationMs),
    };
    this.tasks.set(stored.TaskId, stored);
    this.sortedCache = null;
    return stored;
  }

  /** Changes a stored task, e.g. moves it from Refreshing to Failed. */
  update(taskId: string, patch: Partial<Omit<SimTask, 'TaskId'>>): SimTask {
    const task = this.tasks.get(taskId);
    if (!task) throw new Error(`no simulated task ${taskId}`);
    Object.assign(task, patch);
    this.sortedCache = null;
    if (patch.Status === 'Complete' && patch.Process === undefined) task.Process = '100%';
    if (patch.Status === 'Failed' && task.Description === undefined) task.Description = 'Internal Error';
    return task;
  }

  get(taskId: string): SimTask | undefined {
    return this.tasks.get(taskId);
  }

  /** Every task, newest first (CreationTime, then TaskId, descending), as the API orders them, with parsed times. Cached. */
  newestFirst(): { readonly tasks: readonly SimTask[]; readonly createdMs: Float64Array } {
    if (!this.sortedCache) {
      const tasks = [...this.tasks.values()].sort(
        (a, b) => b.CreationTime.localeCompare(a.CreationTime) || Number(b.TaskId) - Number(a.TaskId) || b.TaskId.localeCompare(a.TaskId),
      );
      this.sortedCache = { tasks, createdMs: Float64Array.from(tasks, (t) => Date.parse(t.CreationTime)) };
    }
    return this.sortedCache;
  }

  all(): SimTask[] {
    return [...this.tasks.values()];
  }

  get size(): number {
    return this.tasks.size;
  }
}

export interface HistoryOptions {
  readonly nowMs: number;
  readonly count: number;
  readonly random: () => number;
  readonly domains?: string[];
  /** Share of tasks that failed; default 0.03. */
  readonly failureRate?: number;
  /** Share of tasks still Refreshing or Pending (created in the last 10 minutes); default 0.01. */
  readonly unfinishedRate?: number;
  /** Oldest creation time, ms before now; default 3 days less 10 minutes. */
  readonly spanMs?: number;
}

/** Seeds a realistic 3-day history: file, directory and preload tasks over several domains, with failures. */
export function seedHistory(store: TaskStore, options: HistoryOptions): SimTask[] {
  const { random } = options;
  const domains = options.domains ?? ['video.example.com', 'vod.example.cn', 'media.example.net'];
  const span = options.spanMs ?? 3 * 24 * 3600_000 - 600_000;
  const failureRate = options.failureRate ?? 0.03;
  const unfinishedRate = options.unfinishedRate ?? 0.01;
  const added: SimTask[] = [];
  for (let i = 0; i < options.count; i++) {
    const domain = domains[Math.floor(random() * domains.length)]!;
    const r = random();
    const objectType = r < 0.7 ? 'file' : r < 0.8 ? 'directory' : 'preload';
    const id = Math.floor(random() * 1e6).toString(36);
    const path =
      objectType === 'directory' ? `http://${domain}/series/${id}/` : `http://${domain}/videos/${id}/${objectType === 'preload' ? 'index.m3u8' : 'video.mp4'}`;
    const s = random();
    let creationMs: number;
    let status = 'Complete';
    let description: string | undefined;
    if (s < unfinishedRate) {
      status = random() < 0.5 ? 'Refreshing' : 'Pending';
      creationMs = options.nowMs - Math.floor(random() * 600_000);
    } else {
      creationMs = options.nowMs - 600_000 - Math.floor(random() * (span - 600_000));
      if (s < unfinishedRate + failureRate) {
        status = 'Failed';
        description = FAILURE_DESCRIPTIONS[Math.floor(random() * FAILURE_DESCRIPTIONS.length)];
      }
    }
    added.push(
      store.add({
        ObjectPath: path,
        ObjectType: objectType,
        Status: status,
        Process: status === 'Complete' ? '100%' : status === 'Failed' ? '0%' : `${Math.floor(random() * 90)}%`,
        creationMs,
        ...(description ? { Description: description } : {}),
      }),
    );
  }
  return added;
}
