import { failedKey, recoveredKey, stuckKey } from '../events/keys';
import type { FailedPath } from '../state/schema';
import type { RefreshTask } from '../vod/types';

/** Why a row did or did not produce an alert (alertmanager's NotifyReason), for logs, reports and tests. */
export const VERDICTS = [
  'new-failure',
  'already-reported',
  'backlog',
  'legacy-reported',
  'stuck',
  'watching',
  'recovered',
  'complete',
  'ignored',
  'stale',
] as const;
export type Verdict = (typeof VERDICTS)[number];

/** What a verdict needs to know of the state and of this run. */
export interface RowView {
  /** The alert key is delivered, waiting in the outbox, or decided this run. */
  known(alertKey: string): boolean;
  /** The latest reported failure on this path, if it is not recovered yet. */
  failedPath(objectPath: string): FailedPath | undefined;
  /** The task id was reported by a v1 state without its URL. */
  legacy(taskId: string): boolean;
  /** This row was already seen finished in this run (a later, stale listing must not revive it). */
  finished(rowKey: string): boolean;
  /** This row is watched (it was unfinished when last seen). */
  watched(rowKey: string): boolean;
}

export interface VerdictContext {
  /** Now, on the API's clock. */
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
 * The verdict on one observed row, from its status and what is already known. Pure: the same row, view and
 * context always give the same verdict. Identity is (TaskId, ObjectPath), given as `key`.
 */
export function verdictOf(row: RefreshTask, key: string, createdAtMs: number, view: RowView, ctx: VerdictContext): Verdict {
  if (!ctx.wanted(row)) return 'ignored';
  if (row.status === 'Failed') {
    if (view.known(failedKey(key))) return 'already-reported';
    if (createdAtMs <= (ctx.legacyBeforeMs ?? -Infinity) && view.legacy(row.taskId)) return 'legacy-reported';
    if (createdAtMs < ctx.listSinceMs && !view.watched(key)) return 'backlog';
    return 'new-failure';
  }
  if (row.status === 'Complete') {
    const failed = view.failedPath(row.objectPath);
    if (failed && failed.key !== key && failed.objectType === row.objectType && createdAtMs >= failed.createdAtMs && !view.known(recoveredKey(failed.key)))
      return 'recovered';
    return 'complete';
  }
  if (view.finished(key)) return 'stale';
  if (ctx.nowMs - createdAtMs > ctx.stuckAfterMs && !view.known(stuckKey(key))) return 'stuck';
  return 'watching';
}
