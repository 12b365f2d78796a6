import type { Ledger } from '../decide/ledger';
import { stuckKey } from '../events/keys';
import { rowKey } from '../identity';
import type { Logger } from '../ports';
import type { WatchedRow } from '../state/schema';
import { VodError } from '../vod/errors';
import { MAX_PAGE_SIZE } from '../vod/params';
import type { VodReader } from '../vod/reader';
import { OBJECT_TYPES, type RefreshTask } from '../vod/types';

/** While the monitor catches up, a row told as stuck is looked up again at most this often. */
export const STUCK_RECHECK_MS = 30 * 60_000;

export interface WatchedCheck {
  /** Rows looked up one by one. */
  readonly lookups: number;
  /** Rows whose lookup the API refused even by ObjectPath: they stay watched and are tried again. */
  readonly unreadable: number;
  /** Rows left for a later run (Pending rows beyond this run's share, oldest-checked first). */
  readonly deferred: number;
}

export interface WatchedOptions {
  /** Rows looked up one by one at most. */
  readonly maxLookups: number;
  readonly nowMs: number;
  /** Task ids looked up at once. */
  readonly concurrency: number;
  /** Earlier runs left ranges to read: rows already told stuck wait their turn (STUCK_RECHECK_MS). */
  readonly catchingUp: boolean;
}

/**
 * Checks watched rows created before the new range. Refreshing rows of a type are re-listed with one Status filter
 * over their span; the ones no longer Refreshing, and the Pending ones (Pending is not a filter), are looked up, the
 * least recently checked first, at most `maxLookups` a run. While the monitor catches up, a row already told stuck
 * is looked up at most every STUCK_RECHECK_MS: its end is news, but less than the failures of the unread ranges.
 */
export async function checkWatched(
  reader: VodReader,
  rows: ReadonlyArray<readonly [string, WatchedRow]>,
  beforeMs: number,
  ledger: Ledger,
  logger: Logger,
  { maxLookups, nowMs, concurrency, catchingUp }: WatchedOptions,
): Promise<WatchedCheck> {
  const due = rows.filter(([k]) => !ledger.seen(k));
  const candidates: Array<readonly [string, WatchedRow]> = due.filter(
    ([, w]) => w.task.status !== 'Refreshing' || !(OBJECT_TYPES as readonly string[]).includes(w.task.objectType),
  );
  for (const type of OBJECT_TYPES) {
    const refreshing = due.filter(([, w]) => w.task.status === 'Refreshing' && w.task.objectType === type);
    if (refreshing.length === 0) continue;
    const startMs = Math.floor((Math.min(...refreshing.map(([, w]) => w.createdAtMs)) - 1000) / 1000) * 1000;
    const endMs = Math.max(startMs + 1000, Math.floor(beforeMs / 1000) * 1000);
    await reader.list({ startTime: new Date(startMs), endTime: new Date(endMs), objectType: type, status: 'Refreshing' }, (found) => ledger.observe(found));
    candidates.push(...refreshing.filter(([k]) => !ledger.seen(k)));
  }
  candidates.sort(([, a], [, b]) => a.checkedAtMs - b.checkedAtMs);
  const worth = catchingUp ? candidates.filter(([k, w]) => !ledger.told(stuckKey(k)) || nowMs - w.checkedAtMs >= STUCK_RECHECK_MS) : candidates;
  const now = worth.slice(0, maxLookups);
  const done = await lookUpRows(reader, now, ledger, logger, concurrency);
  return { ...done, deferred: candidates.length - now.length };
}

/**
 * Looks watched rows up and decides them: by (TaskId, ObjectPath), or by TaskId when several rows of one id are due
 * (one lookup, paged, serves them all). A lookup the API refuses falls back to ObjectPath; a row that still cannot
 * be read stays watched, goes to the back of the queue, and never blocks the run. A row the API no longer holds is
 * dropped.
 */
export async function lookUpRows(
  reader: VodReader,
  rows: ReadonlyArray<readonly [string, WatchedRow]>,
  ledger: Ledger,
  logger: Logger,
  concurrency = 1,
): Promise<{ lookups: number; unreadable: number }> {
  const byTask = new Map<string, Array<readonly [string, WatchedRow]>>();
  for (const c of rows) byTask.set(c[1].task.taskId, [...(byTask.get(c[1].task.taskId) ?? []), c]);
  let lookups = 0;
  let unreadable = 0;
  const one = async ([taskId, group]: [string, Array<readonly [string, WatchedRow]>]) => {
    // Every watched row a listing returns is decided, not only the ones asked for: one lookup of a merged id of
    // 2,000 rows settles them all.
    const feed = (found: RefreshTask[]) => ledger.observe(found.filter((r) => ledger.watches(rowKey(r.taskId, r.objectPath))));
    let refused = false;
    try {
      lookups += await lookUp(reader, taskId, group, feed);
    } catch (err) {
      if (!(err instanceof VodError) || err.retryable || err.code === 'DeadlineReached') throw err;
      logger.warn({ event: 'lookup-refused', taskId, code: err.code }, 'a TaskId lookup was refused; looking the rows up by ObjectPath');
      for (const [k, w] of group) {
        try {
          const p = await reader.page({ objectPath: w.task.objectPath, pageNumber: 1, pageSize: MAX_PAGE_SIZE });
          feed(p.tasks.filter((r) => r.taskId === taskId));
          lookups++;
        } catch (inner) {
          if (!(inner instanceof VodError) || inner.retryable || inner.code === 'DeadlineReached') throw inner;
          unreadable++;
          refused = true;
          ledger.checked(k);
          logger.warn({ event: 'lookup-unreadable', rowKey: k, code: inner.code }, 'a watched row cannot be looked up; it stays watched');
        }
      }
    }
    if (!refused) for (const [k] of group) if (!ledger.seen(k)) ledger.vanished(k);
  };
  // Up to `concurrency` task ids at once; the pacer keeps the rate.
  const queue = [...byTask];
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await one(next);
    }),
  );
  return { lookups, unreadable };
}

/** Looks up the rows of one task id; returns the calls made. */
async function lookUp(
  reader: VodReader,
  taskId: string,
  group: ReadonlyArray<readonly [string, WatchedRow]>,
  feed: (rows: RefreshTask[]) => void,
): Promise<number> {
  if (group.length === 1) {
    const p = await reader.page({ taskId, objectPath: group[0]![1].task.objectPath, pageNumber: 1, pageSize: MAX_PAGE_SIZE });
    feed(p.tasks);
    return 1;
  }
  const first = await reader.page({ taskId, pageNumber: 1, pageSize: MAX_PAGE_SIZE });
  feed(first.tasks);
  const morePages = Math.ceil(first.totalCount / MAX_PAGE_SIZE) - 1;
  if (morePages <= 0) return 1;
  if (morePages <= group.length) {
    const r = await reader.list({ taskId }, feed, first);
    return r.pages;
  }
  // A huge merged id with few rows due: exact lookups cost less than paging through it.
  for (const [, w] of group) feed((await reader.page({ taskId, objectPath: w.task.objectPath, pageNumber: 1, pageSize: MAX_PAGE_SIZE })).tasks);
  return 1 + group.length;
}
