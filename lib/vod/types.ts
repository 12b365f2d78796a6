/** The three task types DescribeVodRefreshTasks knows. */
export const OBJECT_TYPES = ['file', 'directory', 'preload'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

/** Statuses the API accepts as a `Status` filter (`Pending` is a status rows can have, but not a filter). */
export const QUERY_STATUSES = ['Complete', 'Refreshing', 'Failed'] as const;
export type QueryStatus = (typeof QUERY_STATUSES)[number];

/** Statuses a row can report; anything else is kept verbatim and treated as unfinished. */
export const KNOWN_STATUSES = ['Complete', 'Refreshing', 'Failed', 'Pending'] as const;

/** A row that has ended: it never changes again. */
export function isTerminal(status: string): boolean {
  return status === 'Complete' || status === 'Failed';
}

/** One row of DescribeVodRefreshTasks (one URL of a task), normalized. */
export interface RefreshTask {
  readonly taskId: string;
  readonly objectPath: string;
  readonly objectType: string;
  readonly status: string;
  readonly process: string;
  /** `yyyy-MM-ddTHH:mm:ssZ` as the API sent it, or null when absent or unparsable. */
  readonly creationTime: string | null;
  /** `creationTime` in epoch milliseconds, or null. */
  readonly createdAtMs: number | null;
  readonly description: string | null;
}

/** One page of DescribeVodRefreshTasks. */
export interface TaskPage {
  readonly tasks: RefreshTask[];
  readonly pageNumber: number;
  readonly pageSize: number;
  readonly totalCount: number;
  readonly requestId: string | null;
  /** Rows that could not be used, each with the reason. */
  readonly skipped: string[];
  /** The API's clock when it answered (its Date header), or null. */
  readonly serverDateMs: number | null;
}

/** A DescribeVodRefreshTasks query, before validation. */
export interface RefreshTaskQuery {
  taskId?: string;
  objectPath?: string;
  objectType?: string;
  domainName?: string;
  status?: string;
  startTime?: Date | string;
  endTime?: Date | string;
  pageNumber?: number;
  pageSize?: number;
}

/** AccessKey or STS credentials. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}
