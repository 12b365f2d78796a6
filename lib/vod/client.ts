import RPCClient from '@alicloud/pop-core/lib/rpc';
import { classifyVodError, VodError } from './errors';
import { normalizePage } from './normalize';
import type { Credentials, TaskPage } from './types';

export const DEFAULT_VOD_ENDPOINT = 'https://vod.cn-shanghai.aliyuncs.com';
export const VOD_API_VERSION = '2017-03-21';

/** One DescribeVodRefreshTasks call, no retries: the port the reader depends on. */
export interface RefreshTaskApi {
  /** `timeoutMs` overrides the client's timeout for this call (so it can end before a deadline). */
  describeRefreshTasks(params: Record<string, string>, timeoutMs?: number): Promise<TaskPage>;
}

/** The calls automatic re-submission makes, no retries. */
export interface RefreshWriteApi {
  call(
    action: 'RefreshVodObjectCaches' | 'PreloadVodObjectCaches' | 'DescribeVodRefreshQuota',
    params: Record<string, string>,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
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

type Entry = { response?: { statusCode?: number; headers?: Record<string, string | string[] | undefined> } };

function dateOf(entry: Entry | undefined): number | null {
  const raw = entry?.response?.headers?.date;
  const ms = typeof raw === 'string' ? Date.parse(raw) : NaN;
  return Number.isNaN(ms) ? null : ms;
}

/** The VOD API over @alicloud/pop-core's RPCClient, with errors classified and scrubbed of URLs and signatures. */
export class PopCoreVodApi implements RefreshTaskApi, RefreshWriteApi {
  private readonly client: RPCClient;
  private readonly timeoutMs: number;
  private readonly method: 'GET' | 'POST';
  readonly counter: CallCounter = { calls: 0 };

  constructor(options: PopCoreClientOptions) {
    const { credentials } = options;
    // verbose: pop-core then also returns the HTTP status and headers, which it otherwise drops.
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

  private async request(action: string, params: Record<string, string>, timeoutMs?: number): Promise<{ body: unknown; entry: Entry | undefined }> {
    this.counter.calls++;
    const timeout = Math.max(1, Math.min(this.timeoutMs, timeoutMs ?? this.timeoutMs));
    let body: unknown;
    let entry: Entry | undefined;
    try {
      [body, entry] = await this.client.request<[unknown, Entry]>(action, params, { method: this.method, timeout, formatParams: false });
    } catch (err) {
      throw classifyVodError(err, timeout);
    }
    const status = entry?.response?.statusCode;
    if (status !== undefined && status >= 400) {
      // pop-core resolves an error status whose body carries no Code; it is still a failure.
      throw new VodError({
        code: 'HttpError',
        message: `the API answered HTTP ${status} without an error code`,
        httpStatus: status,
        retryable: status >= 500 || status === 429,
      });
    }
    return { body, entry };
  }

  async describeRefreshTasks(params: Record<string, string>, timeoutMs?: number): Promise<TaskPage> {
    const { body, entry } = await this.request('DescribeVodRefreshTasks', params, timeoutMs);
    return { ...normalizePage(body), serverDateMs: dateOf(entry) };
  }

  async call(
    action: 'RefreshVodObjectCaches' | 'PreloadVodObjectCaches' | 'DescribeVodRefreshQuota',
    params: Record<string, string>,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>> {
    const { body } = await this.request(action, params, timeoutMs);
    if (typeof body !== 'object' || body === null)
      throw new VodError({ code: 'MalformedResponse', message: `${action} answered with a body that is not an object`, retryable: true });
    return { ...(body as Record<string, unknown>) };
  }
}
