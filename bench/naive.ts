import RPCClient from '@alicloud/pop-core/lib/rpc';
import type { Credentials } from '../lib/vod/types';

/**
 * What a user would otherwise write: pop-core, pages of 50 read one after another, a Throttling answer slept off
 * for a second and retried. The baseline every figure is compared with.
 */
export async function naiveScan(endpoint: string, credentials: Credentials, params: Record<string, string>): Promise<{ tasks: number; calls: number }> {
  const client = new RPCClient({ endpoint, apiVersion: '2017-03-21', accessKeyId: credentials.accessKeyId, accessKeySecret: credentials.accessKeySecret });
  let calls = 0;
  let tasks = 0;
  for (let page = 1; ; page++) {
    let body: { TotalCount: number; Tasks?: { Task?: unknown[] } };
    for (;;) {
      calls++;
      try {
        body = await client.request('DescribeVodRefreshTasks', { ...params, PageSize: '50', PageNumber: String(page) }, { formatParams: false, timeout: 10_000 });
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== 'Throttling') throw err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    tasks += body.Tasks?.Task?.length ?? 0;
    if (page * 50 >= body.TotalCount) return { tasks, calls };
  }
}
