import { ApiError, requestId } from './errors';
import type { FaultSettings } from './faults';
import { intParam, oneOf, parseTime } from './params';
import { describeQuota, type PurgeContext, preload, refresh } from './purge';

/** What the actions work on. */
export interface ApiContext extends PurgeContext {
  readonly faults: FaultSettings;
}

/** One API action: checks its parameters and answers a body, or throws an ApiError. */
export type Action = (ctx: ApiContext, params: Record<string, string>, nowMs: number) => Record<string, unknown>;

const WINDOW_MS = 3 * 24 * 3600_000;

/** DescribeVodRefreshTasks: one page of rows, newest first, from the last 3 days. */
function describeTasks(ctx: ApiContext, params: Record<string, string>, nowMs: number): Record<string, unknown> {
  if (params.TaskId !== undefined && !/^\d+$/.test(params.TaskId)) throw new ApiError('InvalidTaskId.Malformed', 400, 'Specified TaskId is malformed.');
  const pageSize = intParam(params, 'PageSize', 20, 50);
  const pageNumber = intParam(params, 'PageNumber', 1);
  const objectType = oneOf(params, 'ObjectType', ['file', 'directory', 'preload']);
  const status = oneOf(params, 'Status', ['Complete', 'Refreshing', 'Failed']);
  if ((params.DomainName !== undefined || status !== undefined) && objectType === undefined) {
    throw new ApiError('MissingParameter.ObjectType', 400, 'The ObjectType is required when DomainName or Status is specified.');
  }
  if ((params.StartTime === undefined) !== (params.EndTime === undefined))
    throw new ApiError('MissingParameter', 400, 'StartTime and EndTime can not be single.');
  let startMs = nowMs - WINDOW_MS;
  let endMs = nowMs;
  if (params.StartTime !== undefined && params.EndTime !== undefined) {
    startMs = parseTime('StartTime', params.StartTime);
    endMs = parseTime('EndTime', params.EndTime);
    if (endMs <= startMs) throw new ApiError('InvalidEndTime.Mismatch', 400, 'Specified EndTime does not math the specified StartTime.');
    if (startMs < nowMs - WINDOW_MS) throw new ApiError('InvalidTime', 400, 'The query time cannot exceed the last 3 days.');
  }
  const { total, rows } = ctx.store.query({
    startMs,
    endMs,
    objectType,
    status,
    domain: params.DomainName,
    taskId: params.TaskId,
    objectPath: params.ObjectPath,
    pageNumber,
    pageSize,
  });
  const tasks = rows.map((t) => {
    const row: Record<string, string> = {
      TaskId: t.TaskId,
      ObjectPath: t.ObjectPath,
      ObjectType: t.ObjectType,
      Status: t.Status,
      Process: t.Process,
      CreationTime: t.CreationTime,
    };
    if (t.Description !== undefined) row.Description = t.Description;
    return row;
  });
  const body: Record<string, unknown> = { PageNumber: pageNumber, PageSize: pageSize, TotalCount: total, RequestId: requestId() };
  if (tasks.length > 0 || !ctx.faults.omitEmptyTasks) body.Tasks = { Task: tasks };
  return body;
}

const ACTIONS = new Map<string, Action>([
  ['DescribeVodRefreshTasks', describeTasks],
  ['RefreshVodObjectCaches', refresh],
  ['PreloadVodObjectCaches', preload],
  ['DescribeVodRefreshQuota', describeQuota],
]);

/** The action of that name; InvalidAction.NotFound when the simulated API has none. */
export function findAction(name: string): Action {
  const action = ACTIONS.get(name);
  if (!action) throw new ApiError('InvalidAction.NotFound', 404, 'Specified api is not found, please check your url and method.');
  return action;
}

/** Runs an action at the API clock's `nowMs`, after applying the row changes and quota day that are due. */
export function runAction(action: Action, ctx: ApiContext, params: Record<string, string>, nowMs: number): Record<string, unknown> {
  ctx.store.advance(nowMs);
  ctx.daily.roll(nowMs);
  return action(ctx, params, nowMs);
}
