import { rowKey } from '../identity';
import type { WatchedRow } from '../state/schema';
import { MAX_PAGE_SIZE } from '../vod/params';
import type { ListQuery, VodReader } from '../vod/reader';
import { isTerminal, OBJECT_TYPES, type ObjectType, type RefreshTask, type TaskPage } from '../vod/types';
import type { Range } from './plan';
import type { RowSink } from './sink';

export interface RangeOptions {
  /** The configured types: only these are listed and watched. */
  readonly types: readonly ObjectType[];
  /** Failures created before this are counted, not listed. */
  readonly listSinceMs: number;
  /** A range of at most this many pages is read whole; a larger one by Status filters. */
  readonly cheapMaxPages: number;
  /** Pages read at once while looking for Pending rows. */
  readonly huntBatch: number;
  /** The range of new rows: when the API's clock is ahead of ours, it reaches to the API's now. */
  readonly followApiClock?: boolean;
  /** Watched rows in the range last seen Pending: looked up (cheap) before any page is read to find Pending rows. */
  readonly knownPending?: ReadonlyArray<readonly [string, WatchedRow]>;
  /** Looks watched rows up and decides them. */
  readonly confirm?: (rows: ReadonlyArray<readonly [string, WatchedRow]>) => Promise<unknown>;
  /** A tentative (widened) read: give up after page 1 when the range holds more pages than this. */
  readonly giveUpOverPages?: number;
  /** Told the range's row count from page 1 (so a range the run runs out of time on can be cut to readable pieces). */
  readonly onCount?: (total: number) => void;
}

/** What reading a range established. */
export interface RangeOutcome {
  /** Every unfinished row of the range is known (watched): the frontier may move to `range.endMs`. */
  readonly settled: boolean;
  /** `none`: not read (nothing there yet, or a tentative read given up after page 1). */
  readonly mode: 'whole' | 'filtered' | 'none';
  /** The range as read: its end is never later than the API's own clock. */
  readonly range: Range;
  readonly rows: number;
  /** Rows in the range, by the API's count (page 1). */
  readonly total: number;
  readonly pendingExpected: number;
  readonly pendingFound: number;
}

const pages = (n: number) => Math.max(1, Math.ceil(n / MAX_PAGE_SIZE));
const window = (r: Range): ListQuery => ({ startTime: new Date(r.startMs), endTime: new Date(r.endMs) });
const isPending = (t: RefreshTask) => !isTerminal(t.status) && t.status !== 'Refreshing';

/**
 * Reads one range at the lowest cost that still misses nothing. Page 1 (all rows) gives the count: a small range is
 * read whole. A large one is read by Status filter, per type, in an order that makes the Pending count safe:
 * Complete counts, Failed counts before `listSinceMs`, then Refreshing rows (watched), then the other Failed rows
 * (listed, decided). `Pending` is not a filter, so Pending = all − Complete − Failed − (Refreshing not since Failed);
 * a row that moves on between two calls is in one subtracted set at most, so it can only make that number larger,
 * never hide a Pending row; where a listing contradicts its TotalCount, every page is searched instead. When it is above
 * zero, pages of all rows are read until that many Pending rows are found. Throws what stopped the reading (the
 * rows read so far are already decided).
 */
export async function readRange(reader: VodReader, planned: Range, opts: RangeOptions, sink: RowSink): Promise<RangeOutcome> {
  let range = planned;
  /** The window page 1 was read with: the other pages of a whole read must use the same one. */
  let queried = planned;
  let first = await reader.page({ ...window(range), pageNumber: 1, pageSize: MAX_PAGE_SIZE });
  const apiEnd = first.serverDateMs === null ? range.endMs : Math.floor((first.serverDateMs - 1000) / 1000) * 1000;
  if (apiEnd <= range.startMs) return { settled: false, mode: 'none', range, rows: 0, total: 0, pendingExpected: 0, pendingFound: 0 };
  if (apiEnd < range.endMs - 2000 || (opts.followApiClock && apiEnd > range.endMs + 2000)) {
    // Our clock and the API's disagree: read (and settle) up to what the API holds now, on its clock.
    range = { startMs: range.startMs, endMs: apiEnd };
    queried = range;
    first = await reader.page({ ...window(range), pageNumber: 1, pageSize: MAX_PAGE_SIZE });
  } else if (apiEnd < range.endMs) range = { startMs: range.startMs, endMs: apiEnd };
  opts.onCount?.(first.totalCount);
  if (opts.giveUpOverPages !== undefined && pages(first.totalCount) > opts.giveUpOverPages)
    return { settled: false, mode: 'none', range, rows: 0, total: first.totalCount, pendingExpected: 0, pendingFound: 0 };
  if (pages(first.totalCount) <= opts.cheapMaxPages) {
    // The history these rows show is counted once the range is settled: one cut short is read again, not twice counted.
    const history = sink.historyScope();
    sink.observe(first.tasks, history);
    const r = await reader.list(window(queried), (rows) => sink.observe(rows, history), first);
    sink.commitHistory(history);
    sink.coverRecoveries(range.startMs, range.endMs);
    return { settled: true, mode: 'whole', range, rows: r.seen, total: first.totalCount, pendingExpected: 0, pendingFound: 0 };
  }
  // By filter, the history is counted by TotalCount: the rows of all-row pages do not count it again.
  sink.observe(first.tasks, null);
  return readFiltered(reader, range, first, opts, sink);
}

async function readFiltered(reader: VodReader, range: Range, first: TaskPage, opts: RangeOptions, sink: RowSink): Promise<RangeOutcome> {
  const q = window(range);
  const mismatchesBefore = reader.stats.discrepancies.length;
  const allTypes = opts.types.length === OBJECT_TYPES.length;
  const countTypes = allTypes ? OBJECT_TYPES : opts.types;
  const complete = await Promise.all(countTypes.map((t) => reader.count({ ...q, objectType: t, status: 'Complete' })));
  const totals = allTypes ? [first.totalCount] : await Promise.all(opts.types.map((t) => reader.count({ ...q, objectType: t })));
  // Failures before `listSinceMs` are only counted: counted BEFORE the Refreshing listing, so that a row failing
  // between the two is in one of them at most (subtracted twice, it would hide a Pending row).
  const older = await Promise.all(opts.types.map((t) => countOlderFailures(reader, range, t, opts.listSinceMs)));
  const counted = older.map((o) => o.count);
  const refreshing = new Set<string>();
  await Promise.all(
    opts.types.map((t) =>
      reader.list({ ...q, objectType: t, status: 'Refreshing' }, (rows) => {
        for (const r of rows) refreshing.add(rowKey(r.taskId, r.objectPath));
        sink.observe(rows);
      }),
    ),
  );
  const failed = new Set<string>();
  await Promise.all(opts.types.map((t) => listRecentFailures(reader, range, t, opts.listSinceMs, sink, failed)));
  const stillRefreshing = [...refreshing].filter((k) => !failed.has(k)).length;
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  // Rows listed are counted as seen, never by a TotalCount that may lie.
  const pending = Math.max(0, sum(totals) - sum(complete) - sum(counted) - failed.size - stillRefreshing);
  // A count the listings contradicted makes the subtraction untrustworthy: every page is searched instead.
  const lied = reader.stats.discrepancies.length > mismatchesBefore;
  const known = lied ? new Set<string>() : await confirmKnownPending(pending, opts, sink);
  const expected = lied ? Number.POSITIVE_INFINITY : pending - known.size;
  const rows = first.tasks.length + refreshing.size + failed.size;
  // The history's counts join the backlog only with the range settled: a range read again later is not counted twice.
  const commitBacklog = () => {
    opts.types.forEach((t, i) => {
      sink.countHistory(t, older[i]!.count, older[i]!.startMs, older[i]!.endMs);
    });
  };
  if (expected <= 0) {
    commitBacklog();
    return { settled: true, mode: 'filtered', range, rows, total: first.totalCount, pendingExpected: pending, pendingFound: known.size };
  }
  const hunt = await huntPending(reader, range, expected, opts, sink, known);
  commitBacklog();
  if (hunt.exhausted) sink.coverRecoveries(range.startMs, range.endMs);
  return {
    settled: true,
    mode: 'filtered',
    range,
    rows: rows + hunt.rows,
    total: first.totalCount,
    pendingExpected: pending,
    pendingFound: known.size + hunt.found,
  };
}

/**
 * The Pending rows the monitor already watches are looked up first (a lookup each, or one per task id): those still
 * Pending now were Pending when counted too (a row only moves on), so they need no search. Returns their keys.
 */
async function confirmKnownPending(pending: number, opts: RangeOptions, sink: RowSink): Promise<Set<string>> {
  const due = (opts.knownPending ?? []).filter(([k]) => !sink.seen(k));
  // More than a page's worth of lookups costs more than reading pages: the hunt finds them instead.
  const tasks = new Set(due.map(([, w]) => w.task.taskId)).size;
  if (pending === 0 || due.length === 0 || !opts.confirm || tasks > MAX_PAGE_SIZE / 5) return new Set();
  await opts.confirm(due);
  return new Set(due.filter(([k]) => sink.pendingNow(k)).map(([k]) => k));
}

/** The Failed rows of one type created before `listSinceMs` (a first run's history): counted, not listed. */
async function countOlderFailures(reader: VodReader, range: Range, objectType: ObjectType, listSinceMs: number): Promise<Range & { count: number }> {
  // Disjoint whole seconds: a row on the boundary is not counted twice.
  const older = { startMs: range.startMs, endMs: Math.min(range.endMs, listSinceMs - 1000) };
  if (listSinceMs <= range.startMs || older.endMs <= older.startMs) return { ...older, count: 0 };
  return { ...older, count: await reader.count({ ...window(older), objectType, status: 'Failed' }) };
}

/** The Failed rows of one type created from `listSinceMs`: listed and decided; their keys go to `keys`. */
async function listRecentFailures(
  reader: VodReader,
  range: Range,
  objectType: ObjectType,
  listSinceMs: number,
  sink: RowSink,
  keys: Set<string>,
): Promise<void> {
  if (listSinceMs > range.endMs) return;
  const feed = (rows: RefreshTask[]) => {
    for (const r of rows) keys.add(rowKey(r.taskId, r.objectPath));
    sink.observe(rows);
  };
  await reader.list({ ...window({ startMs: Math.max(range.startMs, listSinceMs), endMs: range.endMs }), objectType, status: 'Failed' }, feed);
}

/** Reads pages of all rows until `expected` Pending rows of the configured types are found, or the range ends. */
async function huntPending(
  reader: VodReader,
  range: Range,
  expected: number,
  opts: RangeOptions,
  sink: RowSink,
  known: ReadonlySet<string>,
): Promise<{ found: number; rows: number; exhausted: boolean }> {
  const found = new Set<string>();
  let rows = 0;
  for (let next = 1; ; next += opts.huntBatch) {
    const batch = await Promise.all(
      Array.from({ length: opts.huntBatch }, (_, i) => reader.page({ ...window(range), pageNumber: next + i, pageSize: MAX_PAGE_SIZE })),
    );
    for (const p of batch) {
      rows += p.tasks.length;
      sink.observe(p.tasks, null);
      for (const t of p.tasks) {
        const key = rowKey(t.taskId, t.objectPath);
        if (isPending(t) && (opts.types as readonly string[]).includes(t.objectType) && !known.has(key)) found.add(key);
      }
    }
    if (found.size >= expected) return { found: found.size, rows, exhausted: false };
    if (batch.some((p) => p.tasks.length + p.skipped.length < MAX_PAGE_SIZE)) return { found: found.size, rows, exhausted: true };
  }
}
