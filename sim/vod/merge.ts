import type { SimTask } from './row';

/** The kinds of task a submission makes, as `ObjectType` lists them. */
export type SubmitKind = 'file' | 'directory' | 'preload';

/** What becomes of a submitted row: a change `afterMs` after its submission, or none (`hang` or null: it stays as it is). */
export type Fate = { afterMs: number; Status: 'Complete' | 'Failed'; Description?: string } | { hang: true } | null;

/** URLs handed to RefreshVodObjectCaches or PreloadVodObjectCaches at `atMs`. */
export interface Submission {
  urls: readonly string[];
  kind: SubmitKind;
  atMs: number;
  /** Status of the new rows; default Refreshing. */
  status?: 'Refreshing' | 'Pending';
  /** Each new row's fate; none scheduled without it. */
  fate?: (url: string, index: number, row: SimTask) => Fate;
}

/** URLs one TaskId holds at most; the next URL of the same domain and second starts a new id. */
export const MAX_ROWS_PER_TASK = 2000;

/** A TaskId still taking URLs. */
export interface OpenTask {
  readonly taskId: string;
  readonly second: number;
  count: number;
}

/**
 * The merge rule of RefreshVodObjectCaches and PreloadVodObjectCaches: every URL submitted for one domain in the
 * same second and of the same kind joins one TaskId, split every MAX_ROWS_PER_TASK URLs.
 */
export class OpenTasks {
  private readonly open = new Map<string, OpenTask>();

  /** The id a URL of this kind, domain and second joins: the open one while it has room, else a fresh one from `fresh`. */
  slot(kind: SubmitKind, domain: string, second: number, fresh: () => string): OpenTask {
    const key = `${second}\n${kind}\n${domain}`;
    let task = this.open.get(key);
    if (task === undefined || task.count >= MAX_ROWS_PER_TASK) {
      if (this.open.size >= 1000) this.forgetBefore(second);
      task = { taskId: fresh(), second, count: 0 };
      this.open.set(key, task);
    }
    return task;
  }

  private forgetBefore(second: number): void {
    for (const [key, task] of this.open) if (task.second < second) this.open.delete(key);
  }
}
