import type { AlertEvent } from '../../events/schema';
import type { RowKey } from '../../identity';
import type { FailedPath, MonitorState, WatchedRow } from '../../state/schema';
import type { RefreshTask } from '../../vod/types';
import type { Coverage } from '../coverage';
import { VERDICTS, type Verdict } from '../verdict';
import { CowDict } from './cow';
import { emptyHistory, type History } from './history';

/** Unfinished rows watched at most (state size); beyond it on-call is told once, never silently. */
export const MAX_WATCHED = 10_000;

/**
 * Failed URLs followed at most (for recoveries and reminders), the newest kept: an outage can fail tens of thousands
 * of URLs in the 3 days the API keeps, and a state that grows with it would stop every run for want of memory, just
 * when on-call needs it. Beyond it the oldest failures get no recovery notice or reminder; each is still reported
 * once (the delivered keys decide that, and they are not capped).
 */
export const MAX_FAILED_PATHS = 10_000;

/** What decisions need of the run, on the API's clock. */
export interface LedgerContext {
  readonly nowMs: number;
  /** Failures created before this are counted, not listed (the first run's history), unless the row was watched. */
  readonly listSinceMs: number;
  readonly stuckAfterMs: number;
  /** Failed rows of legacy ids created before this count as reported. */
  readonly legacyBeforeMs: number | null;
  /** The configured domains and types. */
  readonly wanted: (row: RefreshTask) => boolean;
}

/**
 * The ledger's working copy for one run: what it has decided so far. Only the ledger's own modules change it; it
 * starts from the state and becomes the decisions of the run.
 */
export interface Book {
  readonly watching: CowDict<WatchedRow>;
  watchCount: number;
  readonly maxWatched: number;
  readonly failedPaths: CowDict<FailedPath>;
  /** ObjectPath -> creation time of the Complete row that recovered its failure (one recovery per outage). */
  readonly recovered: CowDict<number>;
  /** Every Complete row created in this interval was read (lib/decide/coverage.ts). */
  coverage: Coverage | null;
  /** Alert keys delivered (the state's), or waiting in the outbox. */
  readonly told: (alertKey: string) => boolean;
  /** Alert keys decided this run. */
  readonly decided: Set<string>;
  /** Rows seen finished this run: a later, stale listing must not revive them. */
  readonly finished: Set<RowKey>;
  /** Rows read this run. */
  readonly observed: Set<RowKey>;
  readonly events: AlertEvent[];
  readonly verdicts: Record<Verdict, number>;
  /** The run's own count of failures counted, not listed. */
  readonly history: History;
  /** Failed rows counted under a task id a v1 state reported without its URL: task id -> rows. */
  readonly legacy: Map<string, number>;
  readonly unknownStatuses: Set<string>;
  /** Watched rows dropped (older than the API's 3 days, or gone from it). */
  dropped: number;
  /** Unfinished rows not watched for the watch cap. */
  notWatched: number;
  /** Their object types, for the command that lists them. */
  readonly notWatchedTypes: Set<string>;
}

/** A book opened on the state: copies of what a run may change (the values are shared, never changed in place). */
export function openBook(state: MonitorState, maxWatched = MAX_WATCHED): Book {
  const waiting = new Set(state.outbox.map((o) => o.event.key));
  const decided = new Set<string>();
  return {
    watching: new CowDict(state.watching),
    watchCount: Object.keys(state.watching).length,
    maxWatched,
    failedPaths: new CowDict(state.failedPaths),
    recovered: new CowDict(state.recoveredPaths),
    coverage: state.recoveryCoverage,
    told: (k) => state.reported[k] !== undefined || waiting.has(k) || decided.has(k),
    decided,
    finished: new Set(),
    observed: new Set(),
    events: [],
    verdicts: Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>,
    history: emptyHistory(),
    legacy: new Map(),
    unknownStatuses: new Set(),
    dropped: 0,
    notWatched: 0,
    notWatchedTypes: new Set(),
  };
}

/** Records an event decided this run (its key is then known: the same alert is not decided twice). */
export function emit(book: Book, e: AlertEvent): void {
  book.events.push(e);
  book.decided.add(e.key);
}
