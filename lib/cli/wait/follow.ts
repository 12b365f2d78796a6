import { rowKey } from '../../identity';
import { MAX_PAGE_SIZE } from '../../vod/params';
import { isTerminal, type RefreshTask } from '../../vod/types';
import type { WaitTargets } from './input';

/** One call of a poll: every row of a task id (paged), one row exactly, or the newest rows of a URL. */
export type Lookup = { kind: 'task'; taskId: string } | { kind: 'row'; taskId: string; url: string } | { kind: 'url'; url: string };

/** A target no row answers yet: a task id without rows, or a URL not (yet) listed where it was looked for. */
export interface Unseen {
  readonly taskId: string | null;
  readonly url: string | null;
  /** Looked up at least once: its absence is an answer, not only a poll still to come. */
  readonly looked: boolean;
}

/** What is known after a poll: the latest row of every URL followed, and the targets without one. */
export interface Snapshot {
  readonly rows: readonly RefreshTask[];
  readonly unseen: readonly Unseen[];
}

/** The API may list a URL with its scheme and host in lower case: compared that way, the path as it is. */
function sameUrl(url: string): string {
  return url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, (head) => head.toLowerCase());
}

/**
 * The URLs a wait follows, and the calls the next poll makes. Task ids are followed URL by URL (a merged id holds
 * up to 2,000 rows, each with its own Status); a URL given with task ids is looked for under them (what `refresh
 * --wait` submitted); a URL alone follows its newest row. Once a URL's row is known, it is that row that is followed.
 * No I/O: the poll feeds it what the API answered.
 */
export class Follow {
  /** Task ids followed whole: every row they list. */
  private readonly whole: ReadonlySet<string>;
  /** URLs to find under one of these ids. */
  private readonly within = new Map<string, { url: string; taskIds: readonly string[]; looked: boolean }>();
  /** URLs to pin to their newest row. */
  private readonly latest = new Map<string, { url: string; looked: boolean }>();
  /** The row followed for each URL, by row key. */
  private readonly rows = new Map<string, RefreshTask>();
  /** TotalCount of each task id, as last listed. */
  private readonly totals = new Map<string, number>();

  constructor(targets: WaitTargets) {
    this.whole = new Set(targets.urls.length === 0 ? targets.taskIds : []);
    for (const url of targets.urls) {
      if (targets.taskIds.length > 0) this.within.set(sameUrl(url), { url, taskIds: targets.taskIds, looked: false });
      else this.latest.set(sameUrl(url), { url, looked: false });
    }
  }

  /**
   * The calls of the next poll, at the lowest cost that misses nothing: a task id is listed whole (every page) while
   * it holds as many unfinished URLs as pages, and looked up URL by URL (exact) when fewer remain.
   */
  plan(): Lookup[] {
    const lookups: Lookup[] = [];
    const listed = new Set<string>();
    const list = (taskId: string) => {
      if (!listed.has(taskId)) lookups.push({ kind: 'task', taskId });
      listed.add(taskId);
    };
    const withRows = new Set([...this.rows.values()].map((r) => r.taskId));
    // A task id not listed yet, or listed without rows (the API lists rows a little late sometimes), is listed.
    for (const taskId of this.whole) if (!withRows.has(taskId)) list(taskId);
    for (const w of this.within.values()) for (const taskId of w.taskIds) list(taskId);
    const open = new Map<string, RefreshTask[]>();
    for (const row of this.rows.values()) if (!isTerminal(row.status)) open.set(row.taskId, [...(open.get(row.taskId) ?? []), row]);
    for (const [taskId, rows] of open) {
      if (listed.has(taskId)) continue;
      // Unknown total (the id was found through a URL): one page is the least a listing costs.
      const total = this.totals.get(taskId);
      const pages = total === undefined ? 1 : Math.max(1, Math.ceil(total / MAX_PAGE_SIZE));
      if (rows.length > pages) list(taskId);
      else for (const r of rows) lookups.push({ kind: 'row', taskId, url: r.objectPath });
    }
    for (const l of this.latest.values()) lookups.push({ kind: 'url', url: l.url });
    return lookups;
  }

  /** Rows of a task id's listing (all its pages, or some of them), and its TotalCount when the listing was whole. */
  observeTask(taskId: string, found: readonly RefreshTask[], total?: number): void {
    if (total !== undefined) this.totals.set(taskId, total);
    for (const w of this.within.values()) if (w.taskIds.includes(taskId)) w.looked = true;
    for (const row of found) {
      if (row.taskId !== taskId) continue;
      const wanted = this.within.get(sameUrl(row.objectPath));
      if (this.whole.has(taskId) || wanted?.taskIds.includes(taskId)) {
        this.pin(row);
        this.within.delete(sameUrl(row.objectPath));
      } else this.update(row);
    }
  }

  /** The answer to an exact (TaskId, ObjectPath) lookup. */
  observeRow(taskId: string, url: string, found: readonly RefreshTask[]): void {
    for (const row of found) if (row.taskId === taskId && sameUrl(row.objectPath) === sameUrl(url)) this.update(row);
  }

  /** The rows listed for a URL, newest first: the newest is the one followed. */
  observeUrl(url: string, found: readonly RefreshTask[]): void {
    const key = sameUrl(url);
    const mine = found.filter((r) => sameUrl(r.objectPath) === key);
    const wanted = this.latest.get(key);
    if (wanted) {
      wanted.looked = true;
      // Newest first as the API lists them; the creation time decides when two pages disagree.
      const newest = mine.reduce<RefreshTask | null>((best, r) => (best === null || (r.createdAtMs ?? 0) > (best.createdAtMs ?? 0) ? r : best), null);
      if (newest) {
        this.pin(newest);
        this.latest.delete(key);
      }
    }
    for (const r of mine) this.update(r);
  }

  /** What is known now. */
  snapshot(): Snapshot {
    const unseen: Unseen[] = [];
    const withRows = new Set([...this.rows.values()].map((r) => r.taskId));
    for (const taskId of this.whole) if (!withRows.has(taskId)) unseen.push({ taskId, url: null, looked: this.totals.has(taskId) });
    for (const w of this.within.values()) unseen.push({ taskId: w.taskIds.length === 1 ? w.taskIds[0]! : null, url: w.url, looked: w.looked });
    for (const l of this.latest.values()) unseen.push({ taskId: null, url: l.url, looked: l.looked });
    return { rows: [...this.rows.values()], unseen };
  }

  /** Every task id this wait follows or has found, for the summary (to wait again). */
  taskIds(): string[] {
    return [...new Set([...this.whole, ...[...this.within.values()].flatMap((w) => w.taskIds), ...[...this.rows.values()].map((r) => r.taskId)])];
  }

  private pin(row: RefreshTask): void {
    this.rows.set(rowKey(row.taskId, sameUrl(row.objectPath)), row);
  }

  /** A newer state of a row already followed; rows not followed are ignored. */
  private update(row: RefreshTask): void {
    const key = rowKey(row.taskId, sameUrl(row.objectPath));
    if (this.rows.has(key)) this.rows.set(key, row);
  }
}
