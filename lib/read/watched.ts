import type { RowKey } from '../identity';
import { rowKey } from '../identity';
import type { Logger } from '../ports';
import type { WatchedRow } from '../state/schema';
import { MAX_PAGE_SIZE } from '../vod/params';
import type { VodReader } from '../vod/reader';
import { OBJECT_TYPES, type RefreshTask } from '../vod/types';
import { lookUpRows } from './lookup';
import type { RowSink } from './sink';

/** Windows of creation time the failures of watched rows are read in, at most (nearby rows share one). */
export const MAX_WATCH_WINDOWS = 4;
/** While the monitor catches up, a window holding only rows told stuck is listed again at most this often. */
export const STUCK_RECHECK_MS = 30 * 60_000;

/** What checking the watched rows cost and found. */
export interface WatchedCheck {
  /** Calls spent on Failed listings over the watched rows' windows. */
  readonly failedListings: number;
  /** Rows that crossed the stuck threshold this run, decided by a lookup. */
  readonly crossing: number;
  /** Lookup calls made (one per merged task id page, or one per row). */
  readonly lookups: number;
  /** Rows whose lookup the API refused even by ObjectPath: decided on what was last known of them. */
  readonly unreadable: number;
  /** Crossing rows left for a later run (beyond this run's share of lookups). */
  readonly deferred: number;
}

export interface WatchedOptions {
  /** Now, on the API's clock. */
  readonly nowMs: number;
  /** Earlier runs left ranges to read: windows of rows already told stuck wait their turn (STUCK_RECHECK_MS). */
  readonly catchingUp: boolean;
  readonly stuckAfterMs: number;
  /** Lookup calls a run makes at most for rows crossing the stuck threshold. */
  readonly maxLookups: number;
  /** Task ids looked up at once. */
  readonly concurrency: number;
}

type Entry = readonly [RowKey, WatchedRow];
const second = (ms: number) => Math.floor(ms / 1000) * 1000;

/**
 * The windows of creation time that hold the given instants: instants closer than the gaps kept are joined, and
 * the largest gaps are kept, so at most `max` windows cover them all. Whole seconds, each window at least one
 * second wide. Pure.
 */
export function watchWindows(instants: readonly number[], max = MAX_WATCH_WINDOWS): Array<{ startMs: number; endMs: number }> {
  if (instants.length === 0) return [];
  const sorted = [...new Set(instants.map(second))].sort((a, b) => a - b);
  const gaps = sorted.slice(1).map((t, i) => ({ at: i, size: t - sorted[i]! }));
  const cuts = new Set(
    gaps
      .sort((a, b) => b.size - a.size || a.at - b.at)
      .slice(0, max - 1)
      .filter((g) => g.size > 2000)
      .map((g) => g.at),
  );
  const windows: Array<{ startMs: number; endMs: number }> = [];
  let start = sorted[0]!;
  for (let i = 0; i < sorted.length; i++) {
    if (i === sorted.length - 1 || cuts.has(i)) {
      windows.push({ startMs: start - 1000, endMs: sorted[i]! + 1000 });
      start = sorted[i + 1]!;
    }
  }
  return windows;
}

/**
 * The failures of watched rows created before the new range, at the cost of their change: Status=Failed listings
 * over the few windows of creation time that hold them (cost: the failures there, not the rows watched); a
 * completion needs no call at all. Only watched rows are decided: the others there were decided when their range
 * was read (and their keys may have been let go since: lib/decide/retention.ts). Returns the calls made.
 */
export async function listWatchedFailures(reader: VodReader, rows: readonly Entry[], beforeMs: number, sink: RowSink, opts: WatchedOptions): Promise<number> {
  let calls = 0;
  const feed = (found: RefreshTask[]) => sink.observe(found.filter((r) => sink.watches(rowKey(r.taskId, r.objectPath))));
  const lists: Array<Promise<void>> = [];
  for (const type of OBJECT_TYPES) {
    const ofType = rows.filter(([, w]) => w.task.objectType === type);
    for (const win of watchWindows(ofType.map(([, w]) => w.createdAtMs))) {
      const endMs = Math.min(win.endMs, second(beforeMs));
      const inside = ofType.filter(([, w]) => w.createdAtMs >= win.startMs && w.createdAtMs <= win.endMs);
      if (endMs <= win.startMs || !worthListing(inside, opts)) continue;
      const q = { startTime: new Date(win.startMs), endTime: new Date(endMs), objectType: type, status: 'Failed' };
      lists.push(
        reader.list(q, feed).then((r) => {
          calls += r.pages;
          // Only a run catching up reads when a window was last listed (worthListing): a quiet run leaves the rows, and the ledger file, as they are.
          if (opts.catchingUp) sink.checked(inside.map(([k]) => k));
        }),
      );
    }
  }
  await settleAll(lists);
  return calls;
}

/**
 * Watched rows that crossed the stuck threshold unseen are read once (one lookup per merged task id serves all its
 * rows, one page of a window serves rows of many ids created together): still unfinished, they are stuck; ended,
 * they are decided as such. A row already told stuck is not read again: its later failure shows in the listings.
 */
export async function checkCrossing(reader: VodReader, rows: readonly Entry[], sink: RowSink, logger: Logger, opts: WatchedOptions) {
  const known = OBJECT_TYPES as readonly string[];
  // Rows of a type the Status filter does not know are only read when they cross the threshold.
  const crossing = rows.filter(
    ([k, w]) => !sink.seen(k) && w.stuckAtMs === null && (opts.nowMs - w.createdAtMs > opts.stuckAfterMs || !known.includes(w.task.objectType)),
  );
  const now = withinLookups(crossing, opts.maxLookups);
  const done = await decideCrossing(reader, now, sink, logger, opts);
  return { crossing: now.length, ...done, deferred: crossing.length - now.length };
}

/** Waits for every promise; throws the first failure once all have ended. */
async function settleAll(ps: ReadonlyArray<Promise<unknown>>): Promise<void> {
  const failed = (await Promise.allSettled(ps)).find((r) => r.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
}

/**
 * Rows crossing the stuck threshold, decided by reading them: rows of several task ids created in the same few
 * seconds are read together, a page of their window for what would cost a lookup each, when that is cheaper; the
 * rest are looked up, one lookup per merged task id.
 */
async function decideCrossing(reader: VodReader, rows: readonly Entry[], sink: RowSink, logger: Logger, opts: WatchedOptions) {
  const feed = (found: RefreshTask[]) => sink.observe(found.filter((r) => sink.watches(rowKey(r.taskId, r.objectPath))));
  let windowCalls = 0;
  for (const win of watchWindows(rows.map(([, w]) => w.createdAtMs))) {
    const inside = rows.filter(([k, w]) => !sink.seen(k) && w.createdAtMs >= win.startMs && w.createdAtMs <= win.endMs);
    const lookupCost = lookupCalls(inside);
    // The window holds these rows at least: when their lookups cost no more than its pages would, probing it only adds a call.
    if (new Set(inside.map(([, w]) => w.task.taskId)).size < 2 || lookupCost <= Math.ceil(inside.length / MAX_PAGE_SIZE)) continue;
    const q = { startTime: new Date(win.startMs), endTime: new Date(win.endMs) };
    const first = await reader.page({ ...q, pageNumber: 1, pageSize: MAX_PAGE_SIZE });
    windowCalls++;
    feed(first.tasks);
    if (Math.ceil(first.totalCount / MAX_PAGE_SIZE) - 1 < lookupCost) windowCalls += (await reader.list(q, feed, first)).pages - 1;
  }
  const done = await lookUpRows(
    reader,
    rows.filter(([k]) => !sink.seen(k)),
    sink,
    logger,
    opts.concurrency,
  );
  return { lookups: done.lookups + windowCalls, unreadable: done.unreadable };
}

/** The calls looking these rows up costs: one per row alone under its task id, one per page of a merged id. */
function lookupCalls(rows: readonly Entry[]): number {
  const perTask = new Map<string, number>();
  for (const [, w] of rows) perTask.set(w.task.taskId, (perTask.get(w.task.taskId) ?? 0) + 1);
  let calls = 0;
  for (const n of perTask.values()) calls += n === 1 ? 1 : Math.ceil(n / MAX_PAGE_SIZE);
  return calls;
}

/**
 * Whether a window's failures are worth a listing now: always, but while the monitor catches up a window of rows all
 * told stuck is listed at most every STUCK_RECHECK_MS (the unread ranges may hold many failures; these are known).
 */
function worthListing(inside: readonly Entry[], opts: WatchedOptions): boolean {
  if (!opts.catchingUp || inside.some(([, w]) => w.stuckAtMs === null)) return true;
  return inside.some(([, w]) => opts.nowMs - w.checkedAtMs >= STUCK_RECHECK_MS);
}

/** The crossing rows this run looks up: whole task ids, oldest first, within about `maxLookups` calls. */
function withinLookups(rows: readonly Entry[], maxLookups: number): Entry[] {
  const byTask = new Map<string, Entry[]>();
  for (const r of [...rows].sort(([, a], [, b]) => a.createdAtMs - b.createdAtMs)) {
    const group = byTask.get(r[1].task.taskId);
    if (group) group.push(r);
    else byTask.set(r[1].task.taskId, [r]);
  }
  const out: Entry[] = [];
  let calls = 0;
  for (const group of byTask.values()) {
    const cost = group.length === 1 ? 1 : Math.ceil(group.length / MAX_PAGE_SIZE);
    if (calls > 0 && calls + cost > maxLookups) break;
    calls += cost;
    out.push(...group);
  }
  return out;
}
