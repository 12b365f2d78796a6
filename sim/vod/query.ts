import { compareRows, hostOf, type StoredRow } from './row';
import { SortedIndex } from './sorted-index';

/** A page request against the store: a creation window (both ends included), optional filters, a 1-based page. */
export interface RowQuery {
  startMs: number;
  endMs: number;
  objectType?: string;
  status?: string;
  /** Host of the ObjectPath, compared lower-case. */
  domain?: string;
  taskId?: string;
  /** Exact ObjectPath. */
  objectPath?: string;
  pageNumber: number;
  pageSize: number;
}

/** The rows matching a query (total) and the requested page of them, newest first. */
export interface QueryResult {
  total: number;
  rows: StoredRow[];
}

type Keep = (row: StoredRow) => boolean;

/** The filters of `q` that the index searched does not already apply, as one predicate; null when none is left. */
function residualFilter(q: RowQuery, indexed: { type: boolean; status: boolean }): Keep | null {
  const tests: Keep[] = [];
  if (!indexed.type && q.objectType !== undefined) tests.push((r) => r.ObjectType === q.objectType);
  if (!indexed.status && q.status !== undefined) tests.push((r) => r.Status === q.status);
  if (q.domain !== undefined) {
    const domain = q.domain.toLowerCase();
    tests.push((r) => hostOf(r.ObjectPath) === domain);
  }
  if (tests.length === 0) return null;
  return (row) => tests.every((t) => t(row));
}

/** Answers `q` from an index holding rows of `objectType` (and `status`) when flagged: binary search, then a page or a filtered scan. */
export function queryIndex(index: SortedIndex, q: RowQuery, indexed: { type: boolean; status: boolean }): QueryResult {
  const [lo, hi] = index.window(q.startMs, q.endMs);
  const skip = (q.pageNumber - 1) * q.pageSize;
  const keep = residualFilter(q, indexed);
  const rows: StoredRow[] = [];
  if (keep === null) {
    index.backward(lo, hi - skip, (row) => rows.push(row) < q.pageSize);
    return { total: Math.max(0, hi - lo), rows };
  }
  let total = 0;
  index.backward(lo, hi, (row) => {
    if (!keep(row)) return true;
    if (total >= skip && rows.length < q.pageSize) rows.push(row);
    total++;
    return true;
  });
  return { total, rows };
}

/** Answers `q` from a few candidate rows (those of one TaskId or one ObjectPath). */
export function queryFew(candidates: readonly StoredRow[], q: RowQuery): QueryResult {
  const matching = candidates.filter((r) => (q.taskId === undefined || r.TaskId === q.taskId) && (q.objectPath === undefined || r.ObjectPath === q.objectPath));
  const index = new SortedIndex();
  index.insertSorted(matching.sort(compareRows));
  return queryIndex(index, q, { type: false, status: false });
}
