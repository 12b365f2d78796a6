import type { RowKey } from '../identity';
import { rowKey } from '../identity';
import type { Logger } from '../ports';
import type { WatchedRow } from '../state/schema';
import { VodError } from '../vod/errors';
import { MAX_PAGE_SIZE } from '../vod/params';
import type { VodReader } from '../vod/reader';
import type { RefreshTask } from '../vod/types';
import type { RowSink } from './sink';

type Entry = readonly [RowKey, WatchedRow];

/**
 * Looks watched rows up and decides them: by (TaskId, ObjectPath), or by TaskId when several rows of one id are due
 * (one lookup, paged, serves them all). A lookup the API refuses falls back to ObjectPath; a row that still cannot
 * be read is decided on what was last known of it, and never blocks the run. A row the API no longer holds is
 * dropped.
 */
export async function lookUpRows(
  reader: VodReader,
  rows: readonly Entry[],
  sink: RowSink,
  logger: Logger,
  concurrency = 1,
): Promise<{ lookups: number; unreadable: number }> {
  const byTask = new Map<string, Entry[]>();
  for (const c of rows) {
    const group = byTask.get(c[1].task.taskId);
    if (group) group.push(c);
    else byTask.set(c[1].task.taskId, [c]);
  }
  const counts = { lookups: 0, unreadable: 0 };
  // Up to `concurrency` task ids at once; the pacer keeps the rate.
  const queue = [...byTask];
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await lookUpTask(reader, next[0], next[1], sink, logger, counts);
    }),
  );
  return counts;
}

const refusedForGood = (err: unknown): err is VodError => err instanceof VodError && !err.retryable && err.code !== 'DeadlineReached';

/** One task id's due rows: looked up by id (or by path when refused), then decided; counts the calls made. */
async function lookUpTask(
  reader: VodReader,
  taskId: string,
  group: readonly Entry[],
  sink: RowSink,
  logger: Logger,
  counts: { lookups: number; unreadable: number },
): Promise<void> {
  // Every watched row a listing returns is decided, not only the ones asked for: one lookup of a merged id of
  // 2,000 rows settles them all.
  const feed = (found: RefreshTask[]) => sink.observe(found.filter((r) => sink.watches(rowKey(r.taskId, r.objectPath))));
  let refused = false;
  try {
    counts.lookups += await lookUp(reader, taskId, group, feed);
  } catch (err) {
    if (!refusedForGood(err)) throw err;
    logger.warn({ event: 'lookup-refused', taskId, code: err.code }, 'a TaskId lookup was refused; looking the rows up by ObjectPath');
    for (const [k, w] of group) {
      try {
        const p = await reader.page({ objectPath: w.task.objectPath, pageNumber: 1, pageSize: MAX_PAGE_SIZE });
        feed(p.tasks.filter((r) => r.taskId === taskId));
        counts.lookups++;
      } catch (inner) {
        if (!refusedForGood(inner)) throw inner;
        counts.unreadable++;
        refused = true;
        sink.unreadable(k);
        logger.warn({ event: 'lookup-unreadable', rowKey: k, code: inner.code }, 'a watched row cannot be looked up; it is decided on what was last known');
      }
    }
  }
  if (!refused) for (const [k] of group) if (!sink.seen(k)) sink.vanished(k);
}

/** Looks up the rows of one task id; returns the calls made. */
async function lookUp(reader: VodReader, taskId: string, group: readonly Entry[], feed: (rows: RefreshTask[]) => void): Promise<number> {
  if (group.length === 1) {
    const p = await reader.page({ taskId, objectPath: group[0]![1].task.objectPath, pageNumber: 1, pageSize: MAX_PAGE_SIZE });
    feed(p.tasks);
    return 1;
  }
  const first = await reader.page({ taskId, pageNumber: 1, pageSize: MAX_PAGE_SIZE });
  feed(first.tasks);
  const morePages = Math.ceil(first.totalCount / MAX_PAGE_SIZE) - 1;
  if (morePages <= 0) return 1;
  if (morePages <= group.length) return (await reader.list({ taskId }, feed, first)).pages;
  // A huge merged id with few rows due: exact lookups cost less than paging through it.
  for (const [, w] of group) feed((await reader.page({ taskId, objectPath: w.task.objectPath, pageNumber: 1, pageSize: MAX_PAGE_SIZE })).tasks);
  return 1 + group.length;
}
