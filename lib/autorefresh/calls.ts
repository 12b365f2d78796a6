import { retry } from '../retry';
import type { RefreshWriteApi } from '../vod/client';
import { VodError } from '../vod/errors';
import type { QuotaKind } from './plan';
import type { AutoRefreshDeps } from './types';

/** URLs per call: files and preloads 1,000, directories 100 (the CDN sibling's limits; VOD's are not published). */
export const PER_CALL: Record<QuotaKind, number> = { url: 1000, dir: 100, preload: 1000 };

export type Quota = Record<QuotaKind, { quota: number; remain: number }>;

export function parseQuota(body: Record<string, unknown>): Quota {
  const n = (k: string) => {
    const x = Number(body[k]);
    if (!Number.isFinite(x)) throw new VodError({ code: 'MalformedResponse', message: `DescribeVodRefreshQuota lacks ${k}`, retryable: true });
    return x;
  };
  return {
    url: { quota: n('UrlQuota'), remain: n('UrlRemain') },
    dir: { quota: n('DirQuota'), remain: n('DirRemain') },
    preload: { quota: n('PreloadQuota'), remain: n('PreloadRemain') },
  };
}

export function request(kind: QuotaKind, paths: string[]): { action: 'RefreshVodObjectCaches' | 'PreloadVodObjectCaches'; params: Record<string, string> } {
  if (kind === 'preload') return { action: 'PreloadVodObjectCaches', params: { ObjectPath: paths.join('\n') } };
  return { action: 'RefreshVodObjectCaches', params: { ObjectPath: paths.join('\n'), ObjectType: kind === 'dir' ? 'Directory' : 'File' } };
}

/** Calls through the run's pacer, within its deadline; Throttling is retried, and every call is counted. */
export function caller(deps: AutoRefreshDeps, report: { calls: number }): Call {
  return async (action, params, before) => {
    report.calls++;
    return retry(
      () =>
        deps.pacer.run(async (timeout) => {
          await before?.();
          return deps.api.call(action, params, timeout);
        }),
      deps.retryPolicy,
      { ...deps, deadlineMs: deps.deadlineMs, isRetryable: (e) => e instanceof VodError && e.code.startsWith('Throttling') },
    );
  };
}

/** A call of the refresh API through the run's pacer; `before` runs just before it is sent (the intent's save). */
export type Call = (
  action: Parameters<RefreshWriteApi['call']>[0],
  params: Record<string, string>,
  before?: () => Promise<void>,
) => Promise<Record<string, unknown>>;
