import RPCClient from '@alicloud/pop-core/lib/rpc';
import { classifyVodError, VodError } from './errors';
import { normalizePage } from './normalize';
import type { Credentials, TaskPage } from './types';

export const DEFAULT_VOD_ENDPOINT = 'https://vod.cn-shanghai.aliyuncs.com';
export const VOD_API_VERSION = '2017-03-21';

/** One DescribeVodRefreshTasks call, no retries: the port the scanner and the monitor depend on. */
export interface RefreshTaskApi {
  describeRefreshTasks(params: Record<string, string>): Promise<TaskPage>;
}

export interface PopCoreClientOptions {
  readonly endpoint?: string;
  readonly credentials: Credentials;
  /** Per-request timeout in ms (pop-core's default is 3,000). */
  readonly timeoutMs?: number;
  /** GET (signed query, pop-core's default) or POST (signed form body). */
  readonly method?: 'GET' | 'POST';
}

/** Counts the calls a client made, for run reports and benchmarks. */
export interface CallCounter {
  calls: number;
}

type Entry = { response?: { statusCode?: number } };

/** DescribeVodRefreshTasks over @alicloud/pop-core's RPCClient, with errors classified and scrubbed of URLs. */
export class PopCoreRefreshTaskApi implements RefreshTaskApi {
  private readonly client: RPCClient;
  private readonly timeoutMs: number;
  private readonly method: 'GET' | 'POST';
  readonly counter: CallCounter = { calls: 0 };

  constructor(options: PopCoreClientOptions) {
    const { credentials } = options;
    // verbose: pop-core then also returns the HTTP status, which it otherwise ignores.
    this.client = new (RPCClient as unknown as new (c: RPCClient.Config, verbose: boolean) => RPCClient)(
      {
        endpoint: options.endpoint ?? DEFAULT_VOD_ENDPOINT,
        apiVersion: VOD_API_VERSION,
        accessKeyId: credentials.accessKeyId,
        accessKeySecret: credentials.accessKeySecret,
        ...(credentials.securityToken ? { securityToken: credentials.securityToken } : {}),
      },
      true,
    );
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.method = options.method ?? 'GET';
  }

  async describeRefreshTasks(params: Record<string, string>): Promise<TaskPage> {
    this.counter.calls++;
    let body: unknown;
    let entry: Entry | undefined;
    try {
      [body, entry] = await this.client.request<[unknown, Entry]>('DescribeVodRefreshTasks', params, {
        method: this.method,
        timeout: this.timeoutMs,
        formatParams: false,
      });
    } catch (err) {
      throw classifyVodError(err, this.timeoutMs);
    }
    const status = entry?.response?.statusCode;
    if (status !== undefined && status >= 400) {
      // pop-core resolves an error status whose body carries no Code; it is still a failure.
      throw new VodError({ code: 'HttpError', message: `the API answered HTTP ${status} without an error code`, httpStatus: status, retryable: status >= 500 || status === 429 });
    }
    return normalizePage(body);
  }
}
