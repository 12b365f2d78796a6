import { TASK_ID } from '../identity';
import { VodParamError } from './errors';
import { formatApiTime, parseApiTime, QUERY_WINDOW_MS } from './time';
import { OBJECT_TYPES, QUERY_STATUSES, type RefreshTaskQuery } from './types';

/**
 * How far inside the 3-day edge a clamped StartTime lands. The gateway refuses a signature more than 15 minutes off
 * its clock, so any skew a working client can have is inside this margin.
 */
export const WINDOW_EDGE_MARGIN_MS = 16 * 60 * 1000;
export const MAX_PAGE_SIZE = 50;

/** A query ready for the wire, with the warnings raised while checking it. */
export interface CheckedQuery {
  readonly params: Record<string, string>;
  readonly warnings: string[];
}

function toMs(name: 'StartTime' | 'EndTime', value: Date | string): number {
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw new VodParamError(`Invalid${name}.Malformed`, `${name} is not a valid date`);
    return ms;
  }
  const ms = parseApiTime(value);
  if (ms === null) {
    throw new VodParamError(
      `Invalid${name}.Malformed`,
      `${name} must be yyyy-MM-ddTHH:mm:ssZ in UTC without milliseconds, got ${JSON.stringify(String(value).slice(0, 40))}`,
    );
  }
  return ms;
}

function positiveInt(name: string, value: number, max?: number): string {
  if (!Number.isInteger(value) || value < 1 || (max !== undefined && value > max)) {
    throw new VodParamError('InvalidParameter', `${name} must be an integer from 1${max ? ` to ${max}` : ''}, got ${value}`);
  }
  return String(value);
}

/**
 * Checks a query against the rules of DescribeVodRefreshTasks before it is sent. A StartTime older than the
 * 3-day window is clamped to its edge with a warning (the API would refuse the whole query); an EndTime that is
 * itself outside the window is rejected, since nothing there can be read.
 */
export function checkQuery(query: RefreshTaskQuery, nowMs: number): CheckedQuery {
  const params: Record<string, string> = {};
  const warnings: string[] = [];
  if (query.taskId !== undefined) {
    if (!TASK_ID.test(query.taskId)) throw new VodParamError('InvalidTaskId.Malformed', 'TaskId must be 1 to 64 letters, digits, - or _');
    params.TaskId = query.taskId;
  }
  if (query.objectPath !== undefined) {
    if (query.objectPath.length === 0) throw new VodParamError('InvalidParameter', 'ObjectPath must not be empty');
    params.ObjectPath = query.objectPath;
  }
  if (query.objectType !== undefined) {
    if (!(OBJECT_TYPES as readonly string[]).includes(query.objectType)) {
      throw new VodParamError('InvalidObjectType.ValueNotSupported', `ObjectType must be one of ${OBJECT_TYPES.join(', ')}`);
    }
    params.ObjectType = query.objectType;
  }
  if (query.status !== undefined) {
    if (!(QUERY_STATUSES as readonly string[]).includes(query.status)) {
      throw new VodParamError('InvalidStatus.ValueNotSupported', `Status must be one of ${QUERY_STATUSES.join(', ')}`);
    }
    params.Status = query.status;
  }
  if (query.domainName !== undefined) {
    if (!/^[A-Za-z0-9.*-]{1,253}$/.test(query.domainName)) throw new VodParamError('InvalidDomainName.Malformed', 'DomainName is not a domain name');
    params.DomainName = query.domainName;
  }
  if ((params.DomainName || params.Status) && !params.ObjectType) {
    throw new VodParamError('MissingParameter.ObjectType', 'ObjectType is required when DomainName or Status is given');
  }
  if ((query.startTime === undefined) !== (query.endTime === undefined)) {
    throw new VodParamError('MissingParameter', 'StartTime and EndTime can not be single.');
  }
  if (query.startTime !== undefined && query.endTime !== undefined) {
    let start = toMs('StartTime', query.startTime);
    const end = toMs('EndTime', query.endTime);
    const edge = nowMs - QUERY_WINDOW_MS + WINDOW_EDGE_MARGIN_MS;
    if (end <= edge) throw new VodParamError('InvalidTime', 'The query time cannot exceed the last 3 days.');
    if (start < edge) {
      // Whole seconds on the wire: a start a few milliseconds before the edge is not a change worth a word.
      if (formatApiTime(start) !== formatApiTime(edge))
        warnings.push(`StartTime ${formatApiTime(start)} is older than the 3-day window; clamped to ${formatApiTime(edge)}`);
      start = edge;
    }
    if (end <= start) throw new VodParamError('InvalidEndTime.Mismatch', 'EndTime must be later than StartTime');
    params.StartTime = formatApiTime(start);
    params.EndTime = formatApiTime(end);
    if (params.StartTime === params.EndTime) throw new VodParamError('InvalidEndTime.Mismatch', 'EndTime must be later than StartTime');
  }
  if (query.pageNumber !== undefined) params.PageNumber = positiveInt('PageNumber', query.pageNumber);
  if (query.pageSize !== undefined) params.PageSize = positiveInt('PageSize', query.pageSize, MAX_PAGE_SIZE);
  return { params, warnings };
}
