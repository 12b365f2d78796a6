import { type RowKey, rowKey } from '../../identity';
import type { Logger } from '../../ports';
import type { MonitorState } from '../../state/schema';
import type { RefreshTask } from '../../vod/types';
import { checkedTo, extend } from '../coverage';
import { type RowView, verdictOf } from '../verdict';
import { applyVerdict } from './apply';
import { type Book, type LedgerContext, openBook } from './book';
import { type CloseWords, closeBook, type Decisions, PLAIN_WORDS } from './close';
import { addHistory, emptyHistory, type History } from './history';

export { type LedgerContext, MAX_FAILED_PATHS, MAX_WATCHED } from './book';
export type { CloseWords, Decisions } from './close';

/**
 * Decides rows as they are read, page by page, so a run keeps only what its decisions need: each row gets its
 * verdict (`verdictOf`, pure: the one place a row is judged new, stuck, recovered...), and the ledger applies it to
 * its book: the watched rows, the failed URLs followed, the events. It is what read feeds (lib/read/sink.ts
 * `RowSink`). Nothing here sends or saves.
 */
export class Ledger {
  private readonly book: Book;
  private readonly view: RowView;

  constructor(
    state: MonitorState,
    private readonly ctx: LedgerContext,
    private readonly logger: Logger,
    maxWatched?: number,
  ) {
    const book = openBook(state, maxWatched);
    this.book = book;
    const legacy = state.legacyIds;
    this.view = {
      known: book.told,
      failedPath: (p) => book.failedPaths.get(p),
      legacy: (id) => legacy[id] !== undefined,
      finished: (k) => book.finished.has(k),
      watched: (k) => book.watching.has(k),
    };
  }

  observe(rows: readonly RefreshTask[], history: History | null = this.book.history): void {
    for (const row of rows) {
      const key = rowKey(row.taskId, row.objectPath);
      this.decide(row, key, row.createdAtMs ?? this.book.watching.get(key)?.createdAtMs ?? this.ctx.nowMs, history);
    }
  }

  historyScope(): History {
    return emptyHistory();
  }

  commitHistory(scope: History): void {
    addHistory(this.book.history, scope);
  }

  countHistory(objectType: string, count: number, sinceMs: number, untilMs: number): void {
    addHistory(this.book.history, { count, byDescription: {}, byType: { [objectType]: count }, sinceMs, untilMs });
  }

  seen(key: RowKey): boolean {
    return this.book.observed.has(key);
  }

  watches(key: RowKey): boolean {
    return this.book.watching.has(key);
  }

  pendingNow(key: RowKey): boolean {
    const w = this.book.watching.get(key);
    return this.book.observed.has(key) && w !== undefined && w.task.status !== 'Refreshing';
  }

  checked(keys: readonly RowKey[]): void {
    for (const k of keys) {
      const w = this.book.watching.get(k);
      if (w && !this.book.observed.has(k)) this.book.watching.set(k, { ...w, checkedAtMs: this.ctx.nowMs });
    }
  }

  vanished(key: RowKey): void {
    if (!this.book.watching.delete(key)) return;
    this.book.watchCount--;
    this.book.dropped++;
    this.logger.info({ event: 'watch-dropped', rowKey: key, reason: 'vanished' }, 'the API no longer holds a watched row');
  }

  /** Decided on its last known facts, as if read again unchanged: past the threshold, it is stuck. */
  unreadable(key: RowKey): void {
    const w = this.book.watching.get(key);
    if (!w) return;
    const row: RefreshTask = { ...w.task, process: '', createdAtMs: w.createdAtMs };
    this.decide(row, key, w.createdAtMs, this.book.history);
  }

  coverRecoveries(fromMs: number, toMs: number): void {
    const next = extend(this.book.coverage, fromMs, toMs);
    // Two whole reads apart: what the old interval told each URL is written into it before the interval moves on.
    if (next.materialize)
      for (const [p, f] of this.book.failedPaths.entries()) {
        const to = checkedTo(f, next.materialize);
        if (to !== f.checkedToMs) this.book.failedPaths.set(p, { ...f, checkedToMs: to });
      }
    this.book.coverage = next.coverage;
  }

  recoveryChecked(objectPath: string, toMs: number): void {
    const f = this.book.failedPaths.get(objectPath);
    if (f && toMs > checkedTo(f, this.book.coverage)) this.book.failedPaths.set(objectPath, { ...f, checkedToMs: toMs });
  }

  failures(): ReadonlyArray<[string, MonitorState['failedPaths'][string]]> {
    const coverage = this.book.coverage;
    return this.book.failedPaths.entries().map(([p, f]) => {
      const to = checkedTo(f, coverage);
      return [p, to === f.checkedToMs ? f : { ...f, checkedToMs: to }];
    });
  }

  /** Closes the run's decisions (see closeBook). */
  finish(nowMs = this.ctx.nowMs, words: CloseWords = PLAIN_WORDS): Decisions {
    return closeBook(this.book, nowMs, this.logger, words);
  }

  private decide(row: RefreshTask, key: RowKey, createdAtMs: number, history: History | null): void {
    const verdict = verdictOf(row, key, createdAtMs, this.view, this.ctx);
    this.book.verdicts[verdict]++;
    if (applyVerdict(this.book, this.ctx, this.logger, { row, key, createdAtMs }, verdict, history))
      this.logger.debug({ event: 'verdict', verdict, taskId: row.taskId, rowKey: key, status: row.status }, `row ${verdict}`);
  }
}
