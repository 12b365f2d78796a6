import { ApiError, missing, requestId } from './errors';
import type { SubmitKind } from './merge';
import { boolParam, oneOf } from './params';
import type { DailyQuota, QuotaCounts } from './quota';
import { hostOf, type SimTask } from './row';
import type { Fate, TaskStore } from './store';

/** What a domain of the account is doing: only `online` domains can be refreshed. */
export type DomainState = 'online' | 'offline' | 'configuring';

/** A refresh or preload call the simulator accepted. */
export interface SubmissionRecord {
  readonly action: 'RefreshVodObjectCaches' | 'PreloadVodObjectCaches';
  readonly urls: readonly string[];
  /** ObjectType of the rows it made: `file`, `directory` or `preload`. */
  readonly objectType: SubmitKind;
  readonly taskIds: readonly string[];
  readonly atMs: number;
}

/** The switches tests turn on the refresh and preload actions. */
export interface PurgeControls {
  /** The fate of each new row when nextFates is empty; null, or a null answer, leaves rows Refreshing for ever. */
  fatePolicy: ((row: SimTask) => Fate) | null;
  /** Fates given to the next new rows, first in first out, before fatePolicy. */
  readonly nextFates: Fate[];
  /** Every accepted refresh and preload call. */
  readonly submissions: SubmissionRecord[];
  /** When true, PreloadVodObjectCaches answers `PreloadQueueFull`. */
  preloadQueueFull: boolean;
}

/** What the refresh and preload actions work on. */
export interface PurgeContext {
  readonly store: TaskStore;
  readonly daily: DailyQuota;
  /** Domains of the account and their state (lower-case names); undefined accepts any domain. */
  readonly domains: Readonly<Record<string, DomainState>> | undefined;
  readonly controls: PurgeControls;
}

/** The default fate of a new row: Complete a minute later. */
export const COMPLETE_IN_A_MINUTE = (): Fate => ({ afterMs: 60_000, Status: 'Complete' });

interface RefreshType {
  readonly kind: SubmitKind;
  readonly quota: keyof QuotaCounts;
  /** URLs per call. VOD's per-call limit is unconfirmed: these follow the CDN sibling (1,000 URLs or 100 directories). */
  readonly max: number;
  readonly directory: boolean;
}

// Regex purges count as directories (quota, per-call limit, rows) and IgnoreParams as files: unconfirmed for VOD.
const REFRESH_TYPES = new Map<string, RefreshType>([
  ['File', { kind: 'file', quota: 'url', max: 1000, directory: false }],
  ['IgnoreParams', { kind: 'file', quota: 'url', max: 1000, directory: false }],
  ['Directory', { kind: 'directory', quota: 'dir', max: 100, directory: true }],
  ['Regex', { kind: 'directory', quota: 'dir', max: 100, directory: false }],
]);
const PRELOAD_MAX = 1000;
const URL_RE = /^https?:\/\/[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?\/\S*$/i;

const malformed = () => new ApiError('InvalidObjectPath.Malformed', 400, 'The specific value of parameter ObjectPath is malformed.');

/** The distinct URLs of `ObjectPath` (one a line, `\n` or `\r\n`), each `http(s)://host/...`, at most `max` lines. */
function urlList(params: Record<string, string>, max: number): string[] {
  const raw = params.ObjectPath;
  if (raw === undefined || raw.trim() === '') throw missing('ObjectPath');
  const lines = raw
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (lines.length > max) throw new ApiError('InvalidObjectPath.Size.Malformed', 400, `The size of ObjectPath is bigger than ${max}.`);
  for (const url of lines) if (url.length > 1024 || !URL_RE.test(url)) throw malformed();
  return [...new Set(lines)];
}

function checkDomains(domains: PurgeContext['domains'], urls: readonly string[]): void {
  if (domains === undefined) return;
  for (const url of urls) {
    const host = hostOf(url);
    const state = Object.hasOwn(domains, host) ? domains[host] : undefined;
    if (state === undefined) throw new ApiError('InvalidDomain.NotFound', 404, 'The domain provided does not belong to you.');
    if (state === 'offline') throw new ApiError('InvalidDomain.Offline', 404, 'The domain provided is offline.');
    if (state === 'configuring') throw new ApiError('ServiceBusy', 403, 'The specified Domain is configuring, please retry later.');
  }
}

function submit(ctx: PurgeContext, action: SubmissionRecord['action'], urls: string[], kind: SubmitKind, nowMs: number): string {
  const { controls } = ctx;
  const fate = (_url: string, _index: number, row: SimTask): Fate =>
    controls.nextFates.length > 0 ? (controls.nextFates.shift() as Fate) : (controls.fatePolicy?.(row) ?? null);
  const { taskIds } = ctx.store.submit({ urls, kind, atMs: nowMs, status: 'Refreshing', fate });
  controls.submissions.push({ action, urls, objectType: kind, taskIds, atMs: nowMs });
  return taskIds.join(',');
}

/** RefreshVodObjectCaches: purges files (or directories, regexes) from the CDN; answers the TaskIds comma-separated. */
export function refresh(ctx: PurgeContext, params: Record<string, string>, nowMs: number): Record<string, unknown> {
  const type = REFRESH_TYPES.get(params.ObjectType ?? 'File');
  if (!type) throw new ApiError('InvalidObjectType.ValueNotSupported', 400, 'The specified ObjectType is not supported.');
  boolParam(params, 'Force');
  const urls = urlList(params, type.max);
  if (type.directory && urls.some((u) => !u.endsWith('/'))) throw malformed();
  checkDomains(ctx.domains, urls);
  ctx.daily.spend(type.quota, urls.length, new ApiError('QuotaExceeded.Refresh', 400, "You've exceeded the prescribed refresh limits."));
  return { RequestId: requestId(), RefreshTaskId: submit(ctx, 'RefreshVodObjectCaches', urls, type.kind, nowMs) };
}

/** PreloadVodObjectCaches: fetches files into the CDN ahead of demand; answers the TaskIds comma-separated. */
export function preload(ctx: PurgeContext, params: Record<string, string>, nowMs: number): Record<string, unknown> {
  const urls = urlList(params, PRELOAD_MAX);
  oneOf(params, 'Area', ['domestic', 'overseas']);
  boolParam(params, 'L2Preload');
  if (params.WithHeader !== undefined) {
    try {
      JSON.parse(params.WithHeader);
    } catch {
      throw new ApiError('InvalidParameter', 400, 'The specified parameter WithHeader is invalid.');
    }
  }
  checkDomains(ctx.domains, urls);
  if (ctx.controls.preloadQueueFull) throw new ApiError('PreloadQueueFull', 403, 'Preload queue is full, please try again later!');
  // DCDN's sibling documents QuotaExceeded.Preload; CDN's older PushObjectCache page says QuotaExceeded.Refresh. Unconfirmed for VOD.
  ctx.daily.spend('preload', urls.length, new ApiError('QuotaExceeded.Preload', 400, 'Your preload attempts have exceeded the daily limit.'));
  return { RequestId: requestId(), PreloadTaskId: submit(ctx, 'PreloadVodObjectCaches', urls, 'preload', nowMs) };
}

/** DescribeVodRefreshQuota: today's quotas and what remains, every number as a string (`blockRemain` sic). */
export function describeQuota(ctx: PurgeContext): Record<string, unknown> {
  const { limits, remain } = ctx.daily;
  return {
    RequestId: requestId(),
    UrlQuota: String(limits.url),
    UrlRemain: String(remain.url),
    DirQuota: String(limits.dir),
    DirRemain: String(remain.dir),
    PreloadQuota: String(limits.preload),
    PreloadRemain: String(remain.preload),
    // The block (URL blocking) quota is not simulated; 100 is a placeholder (unconfirmed).
    BlockQuota: '100',
    blockRemain: '100',
  };
}
