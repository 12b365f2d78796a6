import type { Config } from '../../config';
import { ConfigError } from '../../config';
import { vodAdvice } from '../../vod/advice';
import type { PopCoreVodApi } from '../../vod/client';
import { VodError } from '../../vod/errors';
import { WINDOW_EDGE_MARGIN_MS } from '../../vod/params';
import type { VodReader } from '../../vod/reader';
import { QUERY_WINDOW_MS } from '../../vod/time';
import type { Checklist } from '../checks';
import type { Session } from '../session';

/** Codes that mean the API could not be reached or failed on its side: nothing to fix here (exit 3). */
const REMOTE_TROUBLE =
  /^(E[A-Z]+|RequestTimeout|Throttling.*|ServiceUnavailable|ServiceUnAvailable|InternalError|MalformedResponse|HttpError|DeadlineReached)$/;

/** A failed VOD call as a checklist line: the fix for refusals we can fix (1), "could not reach" for the rest (3). */
function vodFailure(list: Checklist, what: string, err: unknown, fix?: string): void {
  if (!(err instanceof VodError)) throw err;
  const text = `${what}: ${err.code}: ${err.message}${err.requestId ? ` (RequestId ${err.requestId})` : ''}`;
  if (REMOTE_TROUBLE.test(err.code)) list.add('unreachable', text, vodAdvice(err.code));
  else list.add('fail', text, fix ?? vodAdvice(err.code));
}

/** Where the credentials come from, without the secret: the ID shortened, whether an STS token is set. */
function keyLabel(id: string, token: boolean): string {
  const shown = id.length > 10 ? `${id.slice(0, 6)}…${id.slice(-3)}` : id;
  return `AccessKey ${shown} from ALIBABA_CLOUD_ACCESS_KEY_ID${token ? ', with ALIBABA_CLOUD_SECURITY_TOKEN (STS)' : ''}`;
}

/** Credentials, and one cheap call (a page of one row) that proves they work. Null when they do not. */
export async function checkVod(s: Session, list: Checklist, config: Config): Promise<{ api: PopCoreVodApi; reader: VodReader } | null> {
  list.section(`credentials and the VOD API (${config.vod.endpoint})`);
  let label: string;
  try {
    const c = s.credentials();
    label = keyLabel(c.accessKeyId, Boolean(c.securityToken));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) list.add('usage', p);
    return null;
  }
  const api = s.vodApi(config);
  const reader = s.reader(config, api, 60_000);
  const now = s.now();
  try {
    const n = await reader.count({ startTime: new Date(now - 3600_000), endTime: new Date(now) });
    list.add('ok', `${label}: DescribeVodRefreshTasks answered, ${n} row(s) in the last hour`);
    return { api, reader };
  } catch (err) {
    vodFailure(list, `${label}: DescribeVodRefreshTasks`, err);
    return null;
  }
}

/** For each domain of VOD_DOMAINS, a count per object type over the last 3 days: none at all is worth a warning. */
export async function checkDomains(s: Session, list: Checklist, config: Config, reader: VodReader): Promise<void> {
  if (config.vod.domains.length === 0) return;
  list.section('domains (VOD_DOMAINS), last 3 days');
  const now = s.now();
  const window = { startTime: new Date(now - QUERY_WINDOW_MS + WINDOW_EDGE_MARGIN_MS), endTime: new Date(now) };
  for (const domain of config.vod.domains) {
    try {
      const counts = await Promise.all(
        config.vod.objectTypes.map(async (t) => [t, await reader.count({ ...window, objectType: t, domainName: domain })] as const),
      );
      const total = counts.reduce((a, [, n]) => a + n, 0);
      const detail = counts.map(([t, n]) => `${t} ${n}`).join(', ');
      if (total > 0) list.add('ok', `${domain}: ${total} row(s) (${detail})`);
      else
        list.add(
          'warn',
          `${domain}: no task in the last 3 days (${detail})`,
          'check the spelling in VOD_DOMAINS: it must be the host of the refreshed URLs (the CDN domain), not the origin',
        );
    } catch (err) {
      vodFailure(list, `${domain}: DescribeVodRefreshTasks`, err);
      return;
    }
  }
}

/** With AUTO_REFRESH=on: DescribeVodRefreshQuota answers (vod:DescribeVodRefreshQuota); the write actions cannot be checked for free. */
export async function checkAutoRefresh(list: Checklist, config: Config, api: PopCoreVodApi | null): Promise<void> {
  if (!config.autoRefresh.enabled) return;
  list.section('automatic re-submission (AUTO_REFRESH=on)');
  if (!api) return list.add('skip', 'DescribeVodRefreshQuota not called: the credentials check failed');
  try {
    const q = await api.call('DescribeVodRefreshQuota', {}, 10_000);
    const of = (remain: string, quota: string) => `${String(q[remain] ?? '?')} of ${String(q[quota] ?? '?')}`;
    list.add(
      'ok',
      `DescribeVodRefreshQuota answered: ${of('UrlRemain', 'UrlQuota')} URL refreshes, ${of('DirRemain', 'DirQuota')} directory refreshes, ${of('PreloadRemain', 'PreloadQuota')} preloads left today`,
    );
  } catch (err) {
    vodFailure(
      list,
      'DescribeVodRefreshQuota',
      err,
      err instanceof VodError && /^Forbidden/.test(err.code)
        ? 'the RAM role or user needs vod:DescribeVodRefreshQuota: attach deploy/ram-policy-auto-refresh.json to it'
        : undefined,
    );
  }
  list.add(
    'note',
    'RefreshVodObjectCaches and PreloadVodObjectCaches cannot be checked without spending quota: make sure the role has vod:RefreshVodObjectCaches and vod:PreloadVodObjectCaches (deploy/ram-policy-auto-refresh.json)',
  );
}
