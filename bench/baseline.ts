import RPCClient from '@alicloud/pop-core/lib/rpc';
import type { Credentials } from '../lib/vod/types';

const apiTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/**
 * Today's full-scan approach (v1, and what a user would otherwise write): every page of the window, 50 rows a page,
 * paced to the rate limit, a Throttling answer slept off for a second. Runs for at most `capMs`; when the window
 * holds more pages than that allows, the rest is projected from the pace it measured (and says so).
 */
export async function fullScan(endpoint: string, credentials: Credentials, startMs: number, endMs: number, ratePerSecond: number, capMs = Infinity) {
  const client = new RPCClient({ endpoint, apiVersion: '2017-03-21', accessKeyId: credentials.accessKeyId, accessKeySecret: credentials.accessKeySecret });
  const gap = Math.ceil((1000 / ratePerSecond) * 1.05);
  const started = Date.now();
  let calls = 0;
  let rows = 0;
  let pages = Infinity;
  let page = 1;
  for (; page <= pages && Date.now() - started < capMs; page++) {
    for (;;) {
      const t = Date.now();
      calls++;
      try {
        const body = await client.request<{ TotalCount: number; Tasks?: { Task?: unknown[] } }>(
          'DescribeVodRefreshTasks',
          { StartTime: apiTime(startMs), EndTime: apiTime(endMs), PageSize: '50', PageNumber: String(page) },
          { formatParams: false, timeout: 10_000 },
        );
        rows += body.Tasks?.Task?.length ?? 0;
        pages = Math.ceil(body.TotalCount / 50);
        await new Promise((r) => setTimeout(r, Math.max(0, gap - (Date.now() - t))));
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== 'Throttling') throw err;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }
  const ms = Date.now() - started;
  const pagesRead = page - 1;
  const complete = pagesRead >= pages;
  return { calls: complete ? calls : Math.round((calls / pagesRead) * pages), ms: complete ? ms : Math.round((ms / pagesRead) * pages), rows, pages, complete };
}
