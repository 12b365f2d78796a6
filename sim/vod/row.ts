/** A row as the simulated API lists it, in the API's own field names. One TaskId can have many rows. */
export interface SimTask {
  TaskId: string;
  ObjectPath: string;
  ObjectType: string;
  Status: string;
  Process: string;
  CreationTime: string;
  Description?: string;
}

/** A stored row: the API fields plus `createdMs`, its CreationTime in ms (the sort key). Change it only through the store. */
export interface StoredRow extends SimTask {
  createdMs: number;
}

/** What a row of the store can be changed in; its identity (TaskId, ObjectPath) stays. */
export type RowPatch = Partial<Omit<SimTask, 'TaskId' | 'ObjectPath'>>;

/** The failure descriptions the API documents. */
export const FAILURE_DESCRIPTIONS = ['Origin Timeout', 'Origin Return StatusCode 5XX', 'Internal Error'] as const;

let lastSecond = NaN;
let lastText = '';

/** Formats epoch ms as `yyyy-MM-ddTHH:mm:ssZ`; consecutive calls in one second share one string. */
export function apiTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastText = new Date(second * 1000).toISOString().replace('.000Z', 'Z');
  }
  return lastText;
}

/** The host of a URL, lower-case (`http://A.example.com/x` -> `a.example.com`). */
export function hostOf(url: string): string {
  return url
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .split(/[/?#:]/)[0]!
    .toLowerCase();
}

/** Orders TaskIds numerically when they are digit strings (shorter first, then by text). */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** The store's order, oldest first: createdMs, then TaskId ascending, then ObjectPath descending; read backwards it is the API's newest-first order. */
export function compareRows(a: StoredRow, b: StoredRow): number {
  return a.createdMs - b.createdMs || compareIds(a.TaskId, b.TaskId) || (a.ObjectPath < b.ObjectPath ? 1 : a.ObjectPath > b.ObjectPath ? -1 : 0);
}
