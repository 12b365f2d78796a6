import { createHash } from 'node:crypto';
import { TASK_ID } from '../identity';
import { VodError } from './errors';
import { parseApiTime } from './time';
import type { RefreshTask, TaskPage } from './types';

/** ObjectPaths longer than this are cut, keeping a hash of the whole so two long paths stay distinct. */
export const MAX_PATH_CHARS = 2048;
const MAX_FIELD_CHARS = 256;

type Row = Record<string, unknown>;

function isObject(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a string, a number or a BigNumber-like value (pop-core parses long integers into BigNumber). */
function scalar(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return v.toString();
  if (isObject(v) && typeof (v as { toFixed?: unknown }).toFixed === 'function') {
    const s = String((v as { toFixed: () => unknown }).toFixed());
    return /^-?\d+(\.\d+)?$/.test(s) ? s : null;
  }
  return null;
}

function count(v: unknown): number | null {
  const s = scalar(v);
  if (s === null || !/^\d+$/.test(s.trim())) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

function shortText(v: unknown): string | null {
  const s = scalar(v);
  if (s === null) return null;
  return s.length > MAX_FIELD_CHARS ? `${s.slice(0, MAX_FIELD_CHARS)}…` : s;
}

/** Bounds an ObjectPath's length without merging distinct paths. */
export function boundPath(path: string): string {
  if (path.length <= MAX_PATH_CHARS) return path;
  const digest = createHash('sha1').update(path).digest('hex').slice(0, 12);
  return `${path.slice(0, MAX_PATH_CHARS - 40)}…[${path.length} chars, sha1 ${digest}]`;
}

function rowsOf(tasks: unknown): unknown[] {
  if (tasks === undefined || tasks === null || tasks === '') return [];
  if (Array.isArray(tasks)) return tasks;
  if (!isObject(tasks)) return [tasks];
  const task = tasks.Task;
  if (task === undefined || task === null || task === '') return [];
  return Array.isArray(task) ? task : [task];
}

/** Normalizes one API row; returns a reason string when the row cannot be used. */
export function normalizeTask(row: unknown): RefreshTask | string {
  if (!isObject(row)) return `row is ${row === null ? 'null' : typeof row}, not an object`;
  const taskId = scalar(row.TaskId);
  if (taskId === null || !TASK_ID.test(taskId)) return 'row has no usable TaskId';
  const rawPath = typeof row.ObjectPath === 'string' ? row.ObjectPath : scalar(row.ObjectPath);
  const creationTime = typeof row.CreationTime === 'string' ? row.CreationTime : null;
  const createdAtMs = parseApiTime(creationTime);
  const description = shortText(row.Description);
  return {
    taskId,
    objectPath: rawPath === null ? '' : boundPath(rawPath),
    objectType: shortText(row.ObjectType) ?? 'unknown',
    status: shortText(row.Status) ?? 'Unknown',
    process: shortText(row.Process) ?? '',
    creationTime: createdAtMs === null ? null : creationTime,
    createdAtMs,
    description: description === null || description.trim() === '' ? null : description,
  };
}

/**
 * Normalizes a DescribeVodRefreshTasks body: `Tasks`/`Task` missing, empty or a single object, null-prototype
 * objects, numbers as strings or BigNumbers. Unusable rows are skipped with a reason; a body without the paging
 * fields is a MalformedResponse, since trusting it could end a scan early.
 */
export function normalizePage(body: unknown): Omit<TaskPage, 'serverDateMs'> {
  if (!isObject(body)) {
    throw new VodError({ code: 'MalformedResponse', message: 'the API answered with a body that is not an object', retryable: true });
  }
  const totalCount = count(body.TotalCount);
  const pageNumber = count(body.PageNumber);
  const pageSize = count(body.PageSize);
  const requestId = typeof body.RequestId === 'string' ? body.RequestId.slice(0, 128) : null;
  if (totalCount === null || pageNumber === null || pageSize === null) {
    throw new VodError({
      code: 'MalformedResponse',
      message: 'the API page lacks TotalCount, PageNumber or PageSize',
      requestId: requestId ?? undefined,
      retryable: true,
    });
  }
  const tasks: RefreshTask[] = [];
  const skipped: string[] = [];
  rowsOf(body.Tasks).forEach((row, i) => {
    const t = normalizeTask(row);
    if (typeof t === 'string') skipped.push(`row ${i}: ${t}`);
    else tasks.push(t);
  });
  return { tasks, pageNumber, pageSize, totalCount, requestId, skipped };
}
