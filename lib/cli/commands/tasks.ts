import { domainOf, rowKey } from '../../identity';
import { localTime } from '../../time';
import { MAX_PAGE_SIZE } from '../../vod/params';
import type { ListQuery } from '../../vod/reader';
import type { ObjectType, QueryStatus, RefreshTask } from '../../vod/types';
import { TASK_HEADERS, taskRows } from '../format';
import { CliError, EXIT, type ExitCode } from '../printer';
import type { CommonOptions, Session } from '../session';
import { type Window, windowOf } from '../window';

/** Options of `tasks`. */
export interface TasksOptions extends CommonOptions {
  readonly since: string;
  readonly until?: string;
  readonly status?: QueryStatus;
  readonly type?: ObjectType;
  readonly domain?: string;
  readonly json?: boolean;
}

/** The most a listing may take: a full 3-day window of a busy account, at the configured rate. */
const TASKS_BUDGET_MS = 20 * 60_000;

/** What goes to the API: Status and DomainName only with ObjectType (the API's rule); the rest is filtered here. */
function split(o: TasksOptions, w: Window): { query: ListQuery; keep: (t: RefreshTask) => boolean } {
  const domain = o.domain?.trim().toLowerCase();
  if (domain !== undefined && !/^[a-z0-9.-]{1,253}(:\d{1,5})?$/.test(domain))
    throw new CliError(EXIT.usage, `--domain ${JSON.stringify(o.domain!.slice(0, 40))} is not a domain; use the host of the URLs, e.g. video.example.com`);
  const query: ListQuery = { startTime: new Date(w.startMs), endTime: new Date(w.endMs) };
  if (o.type)
    return { query: { ...query, objectType: o.type, ...(o.status ? { status: o.status } : {}), ...(domain ? { domainName: domain } : {}) }, keep: () => true };
  return { query, keep: (t) => (!o.status || t.status === o.status) && (!domain || domainOf(t.objectPath) === domain) };
}

/** Progress on stderr: every page of a short listing, every tenth of a long one. */
function progress(s: Session) {
  let shown = -1;
  return (read: number, total: number) => {
    const step = total <= 10 ? 1 : Math.ceil(total / 10);
    if (total > 1 && (read === total || Math.floor(read / step) > shown)) {
      shown = Math.floor(read / step);
      s.print.err(`read page ${Math.min(read, total)} of ${total}`);
    }
  };
}

/** Lists refresh and preload rows of a window: a table (UTC+8) or JSON on stdout, progress on stderr. */
export async function tasksCommand(s: Session, o: TasksOptions): Promise<ExitCode> {
  const config = s.config();
  const w = windowOf(o.since, o.until, s.now());
  const { query, keep } = split(o, w);
  for (const n of w.notes) s.print.err(`note: ${n}`);
  const api = s.vodApi(config);
  const reader = s.reader(config, api, TASKS_BUDGET_MS);
  const rows = new Map<string, RefreshTask>();
  const add = (page: RefreshTask[]) => {
    for (const t of page) if (keep(t)) rows.set(rowKey(t.taskId, t.objectPath), t);
  };
  const first = await reader.page({ ...query, pageNumber: 1, pageSize: MAX_PAGE_SIZE });
  const pages = Math.max(1, Math.ceil(first.totalCount / MAX_PAGE_SIZE));
  const tick = progress(s);
  let read = 1;
  add(first.tasks);
  tick(read, pages);
  await reader.list(
    query,
    (page) => {
      add(page);
      tick(++read, pages);
      s.logger.debug({ event: 'page-read', read, of: pages, rows: page.length }, 'page read');
    },
    first,
  );
  const sorted = [...rows.values()].sort((a, b) => (b.createdAtMs ?? 0) - (a.createdAtMs ?? 0) || a.taskId.localeCompare(b.taskId));
  if (o.json) s.print.json(sorted);
  else s.print.table(TASK_HEADERS, taskRows(sorted));
  s.print.err(
    `${sorted.length} row(s) from ${localTime(w.startMs)} to ${localTime(w.endMs)}; ${read} page(s), ${api.counter.calls} API call(s)${o.json ? '' : '; times are UTC+8'}`,
  );
  const short = reader.stats.discrepancies;
  if (short.length === 0) return EXIT.ok;
  s.print.err(
    `problem: the API listed fewer rows than it counted (${short.map((d) => `${d.got} of ${d.expected}`).join(', ')}); rows may be missing: list again, or narrow the window`,
  );
  return EXIT.problem;
}
