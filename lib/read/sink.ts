import type { RowKey } from '../identity';
import type { FailedPath } from '../state/schema';
import type { RefreshTask } from '../vod/types';

/** Failures a range only counts (a first run's history), held apart until the range is settled. Opaque to read. */
export interface HistoryScope {
  readonly count: number;
}

/**
 * Where read hands every row it reads: whoever decides them implements it (lib/decide/ledger). Read plans and
 * reads; it holds no verdict. The questions it asks are about this run's reading, never about alerts.
 */
export interface RowSink {
  /**
   * Decides rows as they arrive. Failures older than the listing rule (a first run's history) are counted into
   * `history`: the run's own count by default, a range's scope (committed once the range is settled), or nowhere
   * (`null`: the range counts its history by TotalCount instead).
   */
  observe(rows: readonly RefreshTask[], history?: HistoryScope | null): void;
  /** A new scope for the history one range's rows show. */
  historyScope(): HistoryScope;
  /** A settled range's history joins the run's (a range cut short and read again later is not counted twice). */
  commitHistory(scope: HistoryScope): void;
  /** Failures of one type counted by TotalCount, not listed, created in [sinceMs, untilMs]. */
  countHistory(objectType: string, count: number, sinceMs: number, untilMs: number): void;
  /** The row was read this run. */
  seen(row: RowKey): boolean;
  /** The row is watched (it was unfinished when last read). */
  watches(row: RowKey): boolean;
  /** A watched row read this run, and still neither Refreshing nor ended (Pending, or a status this build does not know). */
  pendingNow(row: RowKey): boolean;
  /** Watched rows a listing would have shown had they failed (a Failed listing over their window): checked now. */
  checked(rows: readonly RowKey[]): void;
  /** A watched row the API no longer holds. */
  vanished(row: RowKey): void;
  /** A watched row that cannot be read (its lookups were refused): it is decided on what was last known of it. */
  unreadable(row: RowKey): void;
  /** Every Complete row created in [fromMs, toMs] was read: a failed URL checked up to `fromMs` is checked up to `toMs`. */
  coverRecoveries(fromMs: number, toMs: number): void;
  /** One failed URL was checked for a later Complete row up to `toMs`. */
  recoveryChecked(objectPath: string, toMs: number): void;
  /** The failed URLs followed for a recovery, as they stand now in this run. */
  failures(): ReadonlyArray<readonly [string, FailedPath]>;
}
