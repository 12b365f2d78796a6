import { QUERY_WINDOW_MS } from '../vod/time';
import type { AlertEvent, TaskFacts } from './schema';

/**
 * Alert keys: what makes an alert delivered once. Every key is built here, and only here is one taken apart, so the
 * shapes below are the whole convention (they are also what state files of earlier builds hold):
 *
 * | key                                   | lifetime once delivered                       |
 * | ------------------------------------- | --------------------------------------------- |
 * | `failed:<row>`, `stuck:<row>`         | the row's creation + KEY_TTL_MS               |
 * | `recovered:<failed row>`              | the recovering row's creation + KEY_TTL_MS    |
 * | `reminder:<failed row>:<n>`           | the failed row's creation + KEY_TTL_MS        |
 * | `resubmitted:<failed row>:<attempt>`  | the failed row's creation + KEY_TTL_MS        |
 * | `notice:<topic>`                      | NOTICE_TTL_MS (a limit reached: told once a day at most) |
 * | `notice:<topic>:<yyyy-mm-dd>`         | NOTICE_TTL_MS (told once that day)            |
 * | `notice:<topic>:<epoch ms>`, and the one-off events (health, blind, backlog, state reset, mute summary, digest) | not kept: each is decided once |
 *
 * `<row>` is a RowKey (lib/identity.ts).
 */

/** How long a delivered key of a row is remembered: the API forgets a row after 3 days, and we keep an hour more. */
export const KEY_TTL_MS = QUERY_WINDOW_MS + 3600_000;
/** How long a notice told once (a limit reached) or once a day stays told. */
export const NOTICE_TTL_MS = 24 * 3600_000;

export const failedKey = (row: string) => `failed:${row}`;
export const stuckKey = (row: string) => `stuck:${row}`;
/** The recovery of the failure `failedRow`. */
export const recoveredKey = (failedRow: string) => `recovered:${failedRow}`;
export const reminderKey = (failedRow: string, count: number) => `reminder:${failedRow}:${count}`;
export const resubmittedKey = (failedRow: string, attempt: number) => `resubmitted:${failedRow}:${attempt}`;

/**
 * A notice's key. `once`: told again at most a day later; `day` (yyyy-mm-dd, UTC+8): told once that day; `at`
 * (epoch ms): a notice of one moment, decided once and never compared again.
 */
export function noticeKey(topic: string, scope: { once: true } | { day: string } | { at: number }): string {
  if ('day' in scope) return `notice:${topic}:${scope.day}`;
  if ('at' in scope) return `notice:${topic}:${scope.at}`;
  return `notice:${topic}`;
}

export const healthDownKey = (sinceMs: number) => `health-down:${sinceMs}`;
export const healthUpKey = (atMs: number) => `health-up:${atMs}`;
export const blindKey = (fromMs: number) => `blind:${fromMs}`;
export const backlogKey = (atMs: number) => `backlog:${atMs}`;
export const stateResetKey = (atMs: number) => `state-reset:${atMs}`;
/** A mute's summary for one receiver: `slot` is `<mute>|<receiver>`, `fromMs` when it first held something. */
export const mutedSummaryKey = (slot: string, fromMs: number) => `muted-summary:${slot}:${fromMs}`;
export const digestKey = (day: string, receiver: string) => `digest:${day}:${receiver}`;

/** When the key of an alert about this row may be forgotten: KEY_TTL_MS after the row's creation (or `nowMs`). */
export function rowKeyExpiry(task: Pick<TaskFacts, 'creationTime'>, nowMs: number): number {
  const created = task.creationTime ? Date.parse(task.creationTime) : Number.NaN;
  return (Number.isNaN(created) ? nowMs : created) + KEY_TTL_MS;
}

/** A notice decided for one moment (`notice:<topic>:<epoch ms>`): never compared again, so never kept. */
const ONE_MOMENT = /:\d{10,}$/;

/**
 * When a delivered alert's key may be forgotten, or null when it need not be kept at all (an event decided once:
 * nothing will produce its key again).
 */
export function expiryOf(e: AlertEvent, nowMs: number): number | null {
  if ('task' in e) return rowKeyExpiry(e.task, nowMs);
  if (e.kind === 'notice' && !ONE_MOMENT.test(e.key)) return nowMs + NOTICE_TTL_MS;
  return null;
}

/** Whether a key is a row's failure (`failed:<row>`), the keys retention may let go. */
export function isFailedKey(key: string): boolean {
  return key.startsWith('failed:');
}

/** The task id of a v1 state's `failed:<TaskId>` key (v1 keyed a failure by its task id alone); null for other v1 keys. */
export function v1FailedTaskId(key: string): string | null {
  return key.startsWith('failed:') ? key.slice('failed:'.length) : null;
}
