import { backlogKey, noticeKey } from '../../events/keys';
import type { AlertEvent } from '../../events/schema';
import type { Logger } from '../../ports';
import type { MonitorState } from '../../state/schema';
import { QUERY_WINDOW_MS } from '../../vod/time';
import type { Verdict } from '../verdict';
import { unwatch } from './apply';
import { type Book, emit, MAX_FAILED_PATHS } from './book';

/** What a run decided: the next reading state, the events to enqueue and the verdict counts. */
export interface Decisions {
  readonly watching: MonitorState['watching'];
  readonly failedPaths: MonitorState['failedPaths'];
  readonly recoveredPaths: MonitorState['recoveredPaths'];
  readonly recoveryCoverage: MonitorState['recoveryCoverage'];
  readonly events: AlertEvent[];
  readonly verdicts: Record<Verdict, number>;
  /** Watched rows dropped: older than the API's 3 days, or no longer held by it. */
  readonly dropped: number;
}

/** Text of the notices the ledger raises; the monitor passes the alert wording's (lib/notify/hints.ts). */
export interface CloseWords {
  /** The notice that `n` unfinished URLs (of these object types) are not watched, the watch cap `max` being reached. */
  watchLimit(n: number, max: number, objectTypes: ReadonlySet<string>): string;
}

/** The wording used when none is given. */
export const PLAIN_WORDS: CloseWords = {
  watchLimit: (n, max) =>
    `${n} unfinished URL(s) are not watched: the monitor already watches ${max}. A later failure of these is not reported; list them with \`npx vod-refresh-monitor tasks --status Refreshing\`.`,
};

/**
 * Closes the run's decisions: rows and failures older than the API's 3 days are let go, the failed URLs followed are
 * capped, and the run's summary events are added (the first run's history, legacy task ids, the watch cap).
 */
export function closeBook(book: Book, nowMs: number, logger: Logger, words: CloseWords): Decisions {
  const edge = nowMs - QUERY_WINDOW_MS;
  for (const [key, w] of book.watching.entries()) {
    if (w.createdAtMs >= edge) continue;
    unwatch(book, key);
    book.dropped++;
  }
  for (const [p, f] of book.failedPaths.entries()) if (f.createdAtMs < edge) book.failedPaths.delete(p);
  for (const [p, at] of book.recovered.entries()) if (at < edge) book.recovered.delete(p);
  capFailedPaths(book, logger);
  summaries(book, nowMs, logger, words);
  return {
    watching: book.watching.value(),
    failedPaths: book.failedPaths.value(),
    recoveredPaths: book.recovered.value(),
    recoveryCoverage: book.coverage,
    events: book.events,
    verdicts: book.verdicts,
    dropped: book.dropped,
  };
}

/** Keeps the newest MAX_FAILED_PATHS failed URLs (see there); the cut is logged, with how many were let go. */
function capFailedPaths(book: Book, logger: Logger): void {
  const paths = book.failedPaths.entries();
  if (paths.length <= MAX_FAILED_PATHS) return;
  paths.sort(([, a], [, b]) => b.createdAtMs - a.createdAtMs);
  for (const [p] of paths.slice(MAX_FAILED_PATHS)) book.failedPaths.delete(p);
  logger.warn(
    { event: 'failed-paths-cap', kept: MAX_FAILED_PATHS, dropped: paths.length - MAX_FAILED_PATHS },
    'more failed URLs than are followed for recoveries and reminders: the oldest let go (each was reported)',
  );
}

function summaries(book: Book, nowMs: number, logger: Logger, words: CloseWords): void {
  const h = book.history;
  if (h.count > 0)
    emit(book, {
      kind: 'backlog',
      key: backlogKey(nowMs),
      count: h.count,
      byDescription: h.byDescription,
      byType: h.byType,
      sinceMs: h.sinceMs,
      untilMs: h.untilMs,
    });
  if (book.legacy.size > 0) {
    const n = [...book.legacy.values()].reduce((a, b) => a + b, 0);
    const ids = [...book.legacy.entries()]
      .slice(0, 10)
      .map(([id, c]) => `${id} (${c})`)
      .join(', ');
    emit(book, {
      kind: 'notice',
      key: noticeKey('legacy', { at: nowMs }),
      code: 'LegacyReported',
      message: `${n} failed URL(s) under task ids the previous version reported by task id alone are counted, not listed again: ${ids}`,
    });
  }
  const limitKey = noticeKey('watch-limit', { once: true });
  if (book.notWatched > 0 && !book.told(limitKey)) {
    emit(book, { kind: 'notice', key: limitKey, code: 'WatchLimit', message: words.watchLimit(book.notWatched, book.maxWatched, book.notWatchedTypes) });
    logger.error({ event: 'watch-limit', notWatched: book.notWatched, max: book.maxWatched }, 'the watch limit was reached');
  }
}
