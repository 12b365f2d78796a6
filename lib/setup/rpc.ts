import RPCClient from '@alicloud/pop-core/lib/rpc';
import type { Credentials } from '../vod/types';
import { CloudError, classifyCloudError, type Service } from './errors';

/** Where an RPC API is and which version it speaks. */
export interface RpcTarget {
  readonly service: Extract<Service, 'RAM' | 'STS'>;
  readonly endpoint: string;
  readonly version: string;
}

/** RAM: the role and its policies. */
export const RAM_API = { service: 'RAM', endpoint: 'https://ram.aliyuncs.com', version: '2015-05-01' } as const;
/** STS: who the caller is (GetCallerIdentity needs no permission). */
export const STS_API = { service: 'STS', endpoint: 'https://sts.aliyuncs.com', version: '2015-04-01' } as const;

type Entry = { response?: { statusCode?: number } };

/** One RPC API over @alicloud/pop-core, no retries, errors classified and scrubbed of the signed URL. */
export class RpcApi {
  private readonly client: RPCClient;

  constructor(
    private readonly target: RpcTarget,
    credentials: Credentials,
    private readonly timeoutMs = 10_000,
  ) {
    // verbose: pop-core then also returns the HTTP status, which it otherwise drops.
    this.client = new (RPCClient as unknown as new (c: RPCClient.Config, verbose: boolean) => RPCClient)(
      {
        endpoint: target.endpoint,
        apiVersion: target.version,
        accessKeyId: credentials.accessKeyId,
        accessKeySecret: credentials.accessKeySecret,
        ...(credentials.securityToken ? { securityToken: credentials.securityToken } : {}),
      },
      true,
    );
  }

  /** Calls `action` with a signed form body (policy documents do not fit a URL); the answer's fields. */
  async call(action: string, params: Record<string, string> = {}): Promise<Record<string, unknown>> {
    let body: unknown;
    let entry: Entry | undefined;
    try {
      [body, entry] = await this.client.request<[unknown, Entry]>(action, params, { method: 'POST', timeout: this.timeoutMs, formatParams: false });
    } catch (err) {
      throw classifyCloudError(this.target.service, action, err, this.timeoutMs);
    }
    const status = entry?.response?.statusCode;
    if (status !== undefined && status >= 400)
      throw new CloudError(this.target.service, action, 'HttpError', `HTTP ${status} without an error code`, undefined, status);
    if (typeof body !== 'object' || body === null) throw new CloudError(this.target.service, action, 'MalformedResponse', 'the answer is not an object');
    return { ...(body as Record<string, unknown>) };
  }
}
