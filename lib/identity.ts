import { createHash } from 'node:crypto';

/**
 * A row's identity. The VOD API merges every URL submitted for one domain in the same second into one task id,
 * and lists one row per URL, so a row is (TaskId, ObjectPath). The path is hashed, so keys stay short and of one
 * shape whatever the path holds.
 */
export type RowKey = string;

/** The key of the row (taskId, objectPath): `<taskId>/<16 characters of the path's SHA-1, base64url>`. */
export function rowKey(taskId: string, objectPath: string): RowKey {
  return `${taskId}/${createHash('sha1').update(objectPath).digest('base64url').slice(0, 16)}`;
}

/**
 * The task ids this build reads and looks up: one rule for both, so that a row the reader accepts is never refused
 * by our own lookup check. The API documents digits; anything else is kept if it is short and plain.
 */
export const TASK_ID = /^[0-9A-Za-z_-]{1,64}$/;

/** The host of an ObjectPath, lower-cased; "" when there is none. */
export function domainOf(objectPath: string): string {
  const host = objectPath.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split(/[/?#\s]/)[0] ?? '';
  return /^[a-z0-9.-]{1,253}(:\d{1,5})?$/i.test(host) ? host.toLowerCase() : '';
}
