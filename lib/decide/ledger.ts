import { backlogKey, failedKey, noticeKey, recoveredKey, stuckKey } from '../events/keys';
import type { AlertEvent, TaskFacts } from '../events/schema';
import { domainOf, rowKey } from '../identity';
import { watchLimitNotice } from '../notify/hints';
import type { Logger } from '../ports';
import type { FailedPath, MonitorState, WatchedRow } from '../state/schema';
import { failureClass } from '../vod/descriptions';
import { QUERY_WINDOW_MS } from '../vod/time';
import { KNOWN_STATUSES, type RefreshTask } from '../vod/types';
import { type RowView, VERDICTS, type Verdict, type VerdictContext, verdictOf } from './verdict';

/** Unfinished rows watched at most (state size); beyond it on-call is told once, never silently. */
export const MAX_WATCHED = 10_000;

/**
 * Failed URLs remembered at most (for recoveries and reminders), the newest kept: an outage can fail tens of thousands
 * of URLs in the 3 days the API keeps, and a state that grows with it would stop every run for want of memory, just
 * when on-call needs it. Beyond it the oldest failures get no recovery notice or reminder; each is still reported
 * once (the delivered keys decide that, and they are not capped).
 */
export const MAX_FAILED_PATHS = 10_000;

/** The alert-facing facts of a row. */
export function factsOf(task: RefreshTask): TaskFacts {
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

/** What a run decided: the next reading state, the events to enqueue and the verdict counts. */
export interface Decisions {
  readonly watching: MonitorState['watching'];
  readonly failedPaths: MonitorState['failedPaths'];
  readonly events: AlertEvent[];
  readonly verdicts: Record<Verdict, number>;
  /** Watched rows dropped: older than the API's 3 days, or no longer held by it. */
  readonly dropped: number;
}

/** Failures counted, not listed (a first run's history). */
export interface Backlog {
  count: number;
  byDescription: Record<string, number>;
  byType: Record<string, number>;
  sinceMs: number;
  untilMs: number;
}

const emptyBacklog = (): Backlog => ({ count: 0, byDescription: {}, byType: {}, sinceMs: Infinity, untilMs: -Infinity });

function addBacklog(b: Backlog, row: RefreshTask, createdAtMs: number): void {
  const cls = failureClass(row.description);
  b.count++;
  b.byDescription[cls] = (b.byDescription[cls] ?? 0) + 1;
  b.byType[row.objectType] = (b.byType[row.objectType] ?? 0) + 1;
  b.sinceMs = Math.min(b.sinceMs, createdAtMs);
  b.untilMs = Math.max(b.untilMs, createdAtMs);
}

/**
 * Decides rows as they are read, page by page, so a run keeps only what its decisions need: each row gets a
 * verdict (`verdictOf`, pure), and the ledger applies it to its copies of the watched rows and failed paths and
 * collects the events. Nothing here sends or saves.
 */
export class Ledger {
  private readonly watching: Record<string, WatchedRow>;
  private readonly failedPaths: Record<string, FailedPath>;
  private readonly known: Set<string>;
  private readonly finishedKeys = new Set<string>();
  private readonly observed = new Set<string>();
  private readonly events: AlertEvent[] = [];
  private readonly verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  private readonly backlog: Backlog = emptyBacklog();
  /** Where the rows `observe` is deciding count their history (see observe). */
  private backlogInto: Backlog | null = this.backlog;
  private readonly legacy = new Map<string, number>();
  private readonly unknownStatuses = new Set<string>();
  private dropped = 0;
  private notWatched = 0;
  private readonly notWatchedTypes = new Set<string>();
  /** How many rows `watching` holds (counting its keys for every row would make a run quadratic). */
  private watchCount: number;
  private readonly view: RowView;

  constructor(
    state: MonitorState,
    private readonly ctx: VerdictContext,
    private readonly logger: Logger,
    private readonly maxWatched = MAX_WATCHED,
  ) {
    this.watching = { ...state.watching };
    this.watchCount = Object.keys(this.watching).length;
    this.failedPaths = { ...state.failedPaths };
    this.known = new Set([...Object.keys(state.reported), ...state.outbox.map((o) => o.event.key)]);
    const legacy = state.legacyIds;
    this.view = {
      known: (k) => this.known.has(k),
      failedPath: (p) => this.failedPaths[p],
      legacy: (id) => legacy[id] !== undefined,
      finished: (k) => this.finishedKeys.has(k),
      watched: (k) => this.watching[k] !== undefined,
    };
  }

  /** Decides each row; returns how many rows were new failures. */
  /**
   * Decides rows. Failures older than the listing rule (a first run's history) are counted into `backlog`: the run's
   * own by default, a range's scope (`backlogScope`, committed once the range is settled), or nowhere (`null`: the
   * range counts its history by TotalCount instead).
   */
  observe(rows: readonly RefreshTask[], backlog: Backlog | null = this.backlog): number {
    this.backlogInto = backlog;
    let failures = 0;
    for (const row of rows) {
      const key = rowKey(row.taskId, row.objectPath);
      const createdAtMs = row.createdAtMs ?? this.watching[key]?.createdAtMs ?? this.ctx.nowMs;
      const verdict = verdictOf(row, key, createdAtMs, this.view, this.ctx);
      this.verdicts[verdict]++;
      if (verdict === 'new-failure') failures++;
      const changed = this.apply(row, key, createdAtMs, verdict);
      if (changed) this.logger.debug({ event: 'verdict', verdict, taskId: row.taskId, rowKey: key, status: row.status }, `row ${verdict}`);
    }
    return failures;
  }

  /** A watched row the API no longer holds. */
  vanished(key: string): void {
    if (!this.watching[key]) return;
    this.unwatch(key);
    this.dropped++;
    this.logger.info({ event: 'watch-dropped', rowKey: key, reason: 'vanished' }, 'the API no longer holds a watched row');
  }

  /** A watched row was looked at without news (its lookup was refused): it goes to the back of the queue. */
  checked(key: string): void {
    const w = this.watching[key];
    if (w) this.watching[key] = { ...w, checkedAtMs: this.ctx.nowMs };
  }

  /** Failures counted, not read, on a first run (the Status filter gives their number per type). */
  /** A bucket for the history one range's rows show, joined to the run's by commitBacklog once the range is settled. */
  backlogScope(): Backlog {
    return emptyBacklog();
  }

  /** A settled range's history joins the run's (a range cut short and read again later is not counted twice). */
  commitBacklog(scope: Backlog): void {
    const b = this.backlog;
    if (scope.count === 0) return;
    b.count += scope.count;
    for (const [k, n] of Object.entries(scope.byDescription)) b.byDescription[k] = (b.byDescription[k] ?? 0) + n;
    for (const [k, n] of Object.entries(scope.byType)) b.byType[k] = (b.byType[k] ?? 0) + n;
    b.sinceMs = Math.min(b.sinceMs, scope.sinceMs);
    b.untilMs = Math.max(b.untilMs, scope.untilMs);
  }

  countBacklog(objectType: string, count: number, sinceMs: number, untilMs: number): void {
    if (count > 0) this.commitBacklog({ count, byDescription: {}, byType: { [objectType]: count }, sinceMs, untilMs });
  }

  /** Every Complete row created in [fromMs, toMs] was read: paths checked to `fromMs` or later are checked to `toMs`. */
  coverRecoveries(fromMs: number, toMs: number): void {
    for (const [p, f] of Object.entries(this.failedPaths))
      if (f.checkedToMs >= fromMs - 1000 && f.checkedToMs < toMs) this.failedPaths[p] = { ...f, checkedToMs: toMs };
  }

  /** One path was checked for a later Complete row up to `toMs`. */
  recoveryChecked(objectPath: string, toMs: number): void {
    const f = this.failedPaths[objectPath];
    if (f) this.failedPaths[objectPath] = { ...f, checkedToMs: Math.max(f.checkedToMs, toMs) };
  }

  /** A watched row seen this run, and still neither Refreshing nor ended (Pending, or a status this build does not know). */
  pendingNow(key: string): boolean {
    const w = this.watching[key];
    return this.observed.has(key) && w !== undefined && w.task.status !== 'Refreshing';
  }

  /** Whether a watched row's key is an alert already told or decided (e.g. `stuck:<row>`). */
  told(alertKey: string): boolean {
    return this.known.has(alertKey);
  }

  /** Whether a row is watched now. */
  watches(key: string): boolean {
    return this.watching[key] !== undefined;
  }

  /** The watched rows this run has seen. */
  seen(key: string): boolean {
    return this.observed.has(key);
  }

  /** Failed paths, for the recovery checks. */
  failures(): ReadonlyArray<[string, FailedPath]> {
    return Object.entries(this.failedPaths);
  }

  private apply(row: RefreshTask, key: string, createdAtMs: number, verdict: Verdict): boolean {
    this.observed.add(key);
    const wasWatched = this.watching[key];
    switch (verdict) {
      case 'new-failure':
        this.emit({ kind: 'failed', key: failedKey(key), task: factsOf(row) });
        this.trackFailure(row, key, createdAtMs);
        return this.end(key) || true;
      case 'already-reported':
        this.trackFailure(row, key, createdAtMs);
        return this.end(key);
      case 'backlog':
        // Once per row a run: a listing read again (its count moved) or a row shifting pages shows it twice.
        if (this.backlogInto && !this.finishedKeys.has(key)) addBacklog(this.backlogInto, row, createdAtMs);
        return this.end(key) || true;
      case 'legacy-reported':
        this.legacy.set(row.taskId, (this.legacy.get(row.taskId) ?? 0) + 1);
        return this.end(key) || true;
      case 'recovered': {
        const failed = this.failedPaths[row.objectPath]!;
        this.emit({
          kind: 'recovered',
          key: recoveredKey(failed.key),
          task: factsOf(row),
          failedTaskId: failed.taskId,
          failedDescription: failed.description,
        });
        delete this.failedPaths[row.objectPath];
        return this.end(key) || true;
      }
      case 'complete':
        return this.end(key);
      case 'stuck':
        this.emit({ kind: 'stuck', key: stuckKey(key), task: factsOf(row), ageMinutes: Math.floor((this.ctx.nowMs - createdAtMs) / 60_000) });
        this.watch(row, key, createdAtMs);
        return true;
      case 'watching':
        this.watch(row, key, createdAtMs);
        return !wasWatched || wasWatched.task.status !== row.status;
      case 'ignored':
        if (wasWatched) this.unwatch(key);
        return false;
      case 'stale':
        return false;
    }
  }

  private emit(e: AlertEvent): void {
    this.events.push(e);
    this.known.add(e.key);
  }

  /** Keeps the newest MAX_FAILED_PATHS failed URLs (see there); the cut is logged, with how many were let go. */
  private capFailedPaths(): void {
    const paths = Object.entries(this.failedPaths);
    if (paths.length <= MAX_FAILED_PATHS) return;
    paths.sort(([, a], [, b]) => b.createdAtMs - a.createdAtMs);
    for (const [p] of paths.slice(MAX_FAILED_PATHS)) delete this.failedPaths[p];
    this.logger.warn(
      { event: 'failed-paths-cap', kept: MAX_FAILED_PATHS, dropped: paths.length - MAX_FAILED_PATHS },
      'more failed URLs than are followed for recoveries and reminders: the oldest let go (each was reported)',
    );
  }

  private unwatch(key: string): void {
    delete this.watching[key];
    this.watchCount--;
  }

  /** The row has ended: it is no longer watched, and a stale listing later in this run cannot revive it. */
  private end(key: string): boolean {
    this.finishedKeys.add(key);
    if (!this.watching[key]) return false;
    this.unwatch(key);
    return true;
  }

  private trackFailure(row: RefreshTask, key: string, createdAtMs: number): void {
    // A failure already followed by a recovery (this run, or told before) is not brought back by a re-read of it.
    if (this.known.has(recoveredKey(key))) return;
    const last = this.failedPaths[row.objectPath];
    if (last && last.createdAtMs > createdAtMs) return;
    if (last?.key === key) return;
    this.failedPaths[row.objectPath] = {
      key,
      taskId: row.taskId,
      objectType: row.objectType,
      createdAtMs,
      description: row.description,
      checkedToMs: createdAtMs,
    };
  }

  private watch(row: RefreshTask, key: string, createdAtMs: number): void {
    if (!(KNOWN_STATUSES as readonly string[]).includes(row.status) && !this.unknownStatuses.has(row.status)) {
      this.unknownStatuses.add(row.status);
      this.logger.warn(
        { event: 'unknown-status', status: row.status, taskId: row.taskId },
        'a row has a status this build does not know; it is watched as unfinished',
      );
    }
    const was = this.watching[key];
    if (!was && this.watchCount >= this.maxWatched) {
      this.notWatched++;
      this.notWatchedTypes.add(row.objectType);
      return;
    }
    if (!was) this.watchCount++;
    this.watching[key] = { task: factsOf(row), createdAtMs, firstSeenMs: was?.firstSeenMs ?? this.ctx.nowMs, checkedAtMs: this.ctx.nowMs };
  }

  /** Closes the run's decisions: stuck rows not seen this run, pruning, and the summary events. */
  finish(nowMs = this.ctx.nowMs): Decisions {
    const edge = nowMs - QUERY_WINDOW_MS;
    for (const [key, w] of Object.entries(this.watching)) {
      if (w.createdAtMs < edge) {
        this.unwatch(key);
        this.dropped++;
        continue;
      }
      // A row not seen this run is stuck if it was last SEEN unfinished past the threshold, or if nothing has told
      // anything about it for a whole threshold (it cannot be read: as far as anyone knows it is unfinished). Its age
      // alone says nothing: it may have completed since its last check, and its lookup will tell.
      const lastSeenStuck = w.checkedAtMs - w.createdAtMs > this.ctx.stuckAfterMs;
      const unreadFor = nowMs - w.checkedAtMs > this.ctx.stuckAfterMs;
      if (!this.observed.has(key) && (lastSeenStuck || unreadFor) && !this.known.has(stuckKey(key))) {
        this.emit({ kind: 'stuck', key: stuckKey(key), task: w.task, ageMinutes: Math.floor((nowMs - w.createdAtMs) / 60_000) });
        this.verdicts.stuck++;
      }
    }
    for (const [p, f] of Object.entries(this.failedPaths)) if (f.createdAtMs < edge) delete this.failedPaths[p];
    this.capFailedPaths();
    if (this.backlog.count > 0) {
      const b = this.backlog;
      this.emit({
        kind: 'backlog',
        key: backlogKey(nowMs),
        count: b.count,
        byDescription: b.byDescription,
        byType: b.byType,
        sinceMs: b.sinceMs,
        untilMs: b.untilMs,
      });
    }
    if (this.legacy.size > 0) {
      const n = [...this.legacy.values()].reduce((a, b) => a + b, 0);
      const ids = [...this.legacy.entries()]
        .slice(0, 10)
        .map(([id, c]) => `${id} (${c})`)
        .join(', ');
      this.emit({
        kind: 'notice',
        key: noticeKey('legacy', { at: nowMs }),
        code: 'LegacyReported',
        message: `${n} failed URL(s) under task ids the previous version reported by task id alone are counted, not listed again: ${ids}`,
      });
    }
    if (this.notWatched > 0 && !this.known.has(noticeKey('watch-limit', { once: true }))) {
      this.emit({
        kind: 'notice',
        key: noticeKey('watch-limit', { once: true }),
        code: 'WatchLimit',
        message: watchLimitNotice(this.notWatched, this.maxWatched, this.notWatchedTypes),
      });
      this.logger.error({ event: 'watch-limit', notWatched: this.notWatched, max: this.maxWatched }, 'the watch limit was reached');
    }
    return { watching: this.watching, failedPaths: this.failedPaths, events: this.events, verdicts: this.verdicts, dropped: this.dropped };
  }
}
