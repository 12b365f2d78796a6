import { MAX_PAGE_SIZE } from '../../vod/params';
import type { VodReader } from '../../vod/reader';
import type { Follow, Lookup } from './follow';

/** Makes one lookup through the reader (paced, retried) and hands the answer to the follower. */
async function run(reader: VodReader, follow: Follow, l: Lookup): Promise<void> {
  if (l.kind === 'task') {
    const { total } = await reader.list({ taskId: l.taskId }, (rows) => follow.observeTask(l.taskId, rows));
    follow.observeTask(l.taskId, [], total);
  } else if (l.kind === 'row') {
    const page = await reader.page({ taskId: l.taskId, objectPath: l.url, pageNumber: 1, pageSize: MAX_PAGE_SIZE });
    follow.observeRow(l.taskId, l.url, page.tasks);
  } else {
    const page = await reader.page({ objectPath: l.url, pageNumber: 1, pageSize: MAX_PAGE_SIZE });
    follow.observeUrl(l.url, page.tasks);
  }
}

/**
 * One poll: every lookup the follower plans, `concurrency` at a time (the reader's pacer keeps the rate). The first
 * error stops the taking of new lookups and is thrown once those in flight have ended; what they read is kept.
 */
export async function pollOnce(reader: VodReader, follow: Follow, concurrency: number): Promise<number> {
  const queue = follow.plan();
  const planned = queue.length;
  let failure: { err: unknown } | null = null;
  const worker = async () => {
    for (let next = queue.shift(); next && !failure; next = queue.shift()) {
      try {
        await run(reader, follow, next);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, planned)) }, worker));
  if (failure) throw (failure as { err: unknown }).err;
  return planned;
}
