import { failedKey, recoveredKey, stuckKey } from '../../events/keys';
import type { TaskFacts } from '../../events/schema';
import { domainOf, type RowKey } from '../../identity';
import type { Logger } from '../../ports';
import { KNOWN_STATUSES, type RefreshTask } from '../../vod/types';
import type { Verdict } from '../verdict';
import { type Book, emit, type LedgerContext } from './book';
import { addRow, type History } from './history';

/** The alert-facing facts of a row. */
function factsOf(task: RefreshTask): TaskFacts {
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

/** One row and what is known of it, for applying its verdict. */
export interface Seen {
  readonly row: RefreshTask;
  readonly key: RowKey;
  readonly createdAtMs: number;
}

/**
 * Applies one verdict to the book: the events it produces and what the row becomes (watched, followed for a
 * recovery, ended). `history` is where a counted failure goes (null: counted elsewhere, by TotalCount). Returns
 * whether anything changed, for the debug log.
 */
export function applyVerdict(book: Book, ctx: LedgerContext, logger: Logger, s: Seen, verdict: Verdict, history: History | null): boolean {
  const { row, key, createdAtMs } = s;
  book.observed.add(key);
  const wasWatched = book.watching.get(key);
  switch (verdict) {
    case 'new-failure':
      emit(book, { kind: 'failed', key: failedKey(key), task: factsOf(row) });
      followFailure(book, s);
      return end(book, key) || true;
    case 'already-reported':
      followFailure(book, s);
      return end(book, key);
    case 'backlog':
      // Once per row a run: a listing read again (its count moved) or a row shifting pages shows it twice.
      if (history && !book.finished.has(key)) addRow(history, row, createdAtMs);
      return end(book, key) || true;
    case 'legacy-reported':
      book.legacy.set(row.taskId, (book.legacy.get(row.taskId) ?? 0) + 1);
      return end(book, key) || true;
    case 'recovered':
      recover(book, s);
      return end(book, key) || true;
    case 'complete':
      return end(book, key);
    case 'stuck':
      emit(book, { kind: 'stuck', key: stuckKey(key), task: factsOf(row), ageMinutes: Math.floor((ctx.nowMs - createdAtMs) / 60_000) });
      watch(book, ctx, logger, s, ctx.nowMs);
      return true;
    case 'watching':
      watch(book, ctx, logger, s, wasWatched?.stuckAtMs ?? (book.told(stuckKey(key)) ? ctx.nowMs : null));
      return !wasWatched || wasWatched.task.status !== row.status;
    case 'ignored':
      unwatch(book, key);
      return false;
    case 'stale':
      return false;
  }
}

/** The failure this row is recovers: the URL is no longer followed, and not again for failures before this row. */
function recover(book: Book, { row, createdAtMs }: Seen): void {
  const failed = book.failedPaths.get(row.objectPath)!;
  emit(book, {
    kind: 'recovered',
    key: recoveredKey(failed.key),
    task: factsOf(row),
    failedTaskId: failed.taskId,
    failedDescription: failed.description,
  });
  book.failedPaths.delete(row.objectPath);
  book.recovered.set(row.objectPath, Math.max(book.recovered.get(row.objectPath) ?? 0, createdAtMs));
}

/** Follows the newest failure of a URL for a recovery; one already recovered (an earlier outage) is not followed again. */
function followFailure(book: Book, { row, key, createdAtMs }: Seen): void {
  if (book.told(recoveredKey(key))) return;
  if (createdAtMs <= (book.recovered.get(row.objectPath) ?? -Infinity)) return;
  const last = book.failedPaths.get(row.objectPath);
  if (last && last.createdAtMs > createdAtMs) return;
  if (last?.key === key) return;
  book.failedPaths.set(row.objectPath, {
    key,
    taskId: row.taskId,
    objectType: row.objectType,
    createdAtMs,
    description: row.description,
    checkedToMs: createdAtMs,
  });
}

export function unwatch(book: Book, key: RowKey): void {
  if (book.watching.delete(key)) book.watchCount--;
}

/** The row has ended: it is no longer watched, and a stale listing later in this run cannot revive it. */
function end(book: Book, key: RowKey): boolean {
  book.finished.add(key);
  if (!book.watching.has(key)) return false;
  unwatch(book, key);
  return true;
}

function watch(book: Book, ctx: LedgerContext, logger: Logger, { row, key, createdAtMs }: Seen, stuckAtMs: number | null): void {
  if (!(KNOWN_STATUSES as readonly string[]).includes(row.status) && !book.unknownStatuses.has(row.status)) {
    book.unknownStatuses.add(row.status);
    logger.warn(
      { event: 'unknown-status', status: row.status, taskId: row.taskId },
      'a row has a status this build does not know; it is watched as unfinished',
    );
  }
  const was = book.watching.get(key);
  if (!was && book.watchCount >= book.maxWatched) {
    book.notWatched++;
    book.notWatchedTypes.add(row.objectType);
    return;
  }
  if (!was) book.watchCount++;
  // Seen as it was: left as it is (a quiet run that re-reads a watched row changes nothing, and writes nothing).
  if (was && was.task.status === row.status && was.stuckAtMs === stuckAtMs) return;
  book.watching.set(key, { task: factsOf(row), createdAtMs, firstSeenMs: was?.firstSeenMs ?? ctx.nowMs, checkedAtMs: ctx.nowMs, stuckAtMs });
}
