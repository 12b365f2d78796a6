import { EXIT, type ExitCode } from '../printer';
import type { Snapshot } from './follow';

/** Where one followed URL (or a target with no row) stands. */
export type ItemState = 'complete' | 'failed' | 'unfinished' | 'not-found';

/** One URL of the wait, as last seen; `status` is the API's (null: no row listed). */
export interface Item {
  readonly taskId: string | null;
  readonly url: string | null;
  readonly state: ItemState;
  readonly status: string | null;
  readonly objectType: string | null;
  readonly process: string | null;
  readonly description: string | null;
}

/** How a wait ends (`waiting`: not yet). */
export type Outcome = 'complete' | 'failed' | 'timeout' | 'unreadable' | 'waiting';

/** Why the polling stopped before the rows decided it: the time ran out, or the API could not be read. */
export type Stop = { readonly reason: 'timeout' } | { readonly reason: 'unreadable'; readonly code: string; readonly message: string };

/** The facts a verdict is decided on, besides the rows. */
export interface JudgeContext {
  readonly nowMs: number;
  readonly startedMs: number;
  readonly deadlineMs: number;
  /** End at the first failure instead of waiting for every URL. */
  readonly failFast: boolean;
  /** A target looked up and still without a row this long after the start is not found (a failure). */
  readonly notFoundAfterMs: number;
  readonly stop?: Stop;
}

/** What ended a wait: every URL ended, --fail-fast at a failure, the time, or the API. */
export type EndedBy = 'rows' | 'fail-fast' | 'timeout' | 'unreadable';

/** The decision of one poll: the outcome, its exit code (null while waiting), every item and the counts. */
export interface Verdict {
  readonly outcome: Outcome;
  readonly exitCode: ExitCode | null;
  /** Null while waiting. */
  readonly endedBy: EndedBy | null;
  readonly items: readonly Item[];
  readonly counts: Readonly<Record<ItemState, number>>;
  readonly error: { readonly code: string; readonly message: string } | null;
}

const ORDER: Record<ItemState, number> = { failed: 0, 'not-found': 1, unfinished: 2, complete: 3 };

function stateOf(status: string): ItemState {
  if (status === 'Complete') return 'complete';
  if (status === 'Failed') return 'failed';
  return 'unfinished';
}

/** The items of a snapshot: failures first, then what was not found, what is unfinished, what completed. */
export function itemsOf(snapshot: Snapshot, ctx: Pick<JudgeContext, 'nowMs' | 'startedMs' | 'notFoundAfterMs'>): Item[] {
  const items: Item[] = snapshot.rows.map((r) => ({
    taskId: r.taskId,
    url: r.objectPath,
    state: stateOf(r.status),
    status: r.status,
    objectType: r.objectType,
    process: r.process,
    description: r.description,
  }));
  const late = ctx.nowMs - ctx.startedMs >= ctx.notFoundAfterMs;
  for (const u of snapshot.unseen)
    items.push({
      taskId: u.taskId,
      url: u.url,
      state: u.looked && late ? 'not-found' : 'unfinished',
      status: null,
      objectType: null,
      process: null,
      description: null,
    });
  return items.sort((a, b) => ORDER[a.state] - ORDER[b.state] || (a.taskId ?? '').localeCompare(b.taskId ?? '') || (a.url ?? '').localeCompare(b.url ?? ''));
}

/**
 * Decides a wait from what the API last said. Every URL ended: 0 when each completed, 1 when any failed (or a target
 * was not found). Otherwise it goes on, unless it must stop: a known failure is 1 whatever else happened (with
 * --fail-fast at once, else when the time runs out or the API cannot be read, since a failure is a fact), else 4 when
 * the time ran out and 3 when the API could not be read.
 */
export function judge(snapshot: Snapshot, ctx: JudgeContext): Verdict {
  const items = itemsOf(snapshot, ctx);
  const counts = { complete: 0, failed: 0, unfinished: 0, 'not-found': 0 };
  for (const i of items) counts[i.state]++;
  const failed = counts.failed + counts['not-found'] > 0;
  const stop = ctx.stop ?? (ctx.nowMs >= ctx.deadlineMs ? { reason: 'timeout' as const } : undefined);
  const error = stop?.reason === 'unreadable' ? { code: stop.code, message: stop.message } : null;
  const end = (outcome: Outcome, exitCode: ExitCode | null, endedBy: EndedBy | null): Verdict => ({ outcome, exitCode, endedBy, items, counts, error });
  if (counts.unfinished === 0 && items.length > 0) return failed ? end('failed', EXIT.problem, 'rows') : end('complete', EXIT.ok, 'rows');
  if (failed && stop) return end('failed', EXIT.problem, stop.reason);
  if (failed && ctx.failFast) return end('failed', EXIT.problem, 'fail-fast');
  if (stop?.reason === 'timeout') return end('timeout', EXIT.timeout, 'timeout');
  if (stop?.reason === 'unreadable') return end('unreadable', EXIT.remote, 'unreadable');
  return end('waiting', null, null);
}
