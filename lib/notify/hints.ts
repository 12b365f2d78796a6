import type { TaskFacts } from '../events/schema';
import { OBJECT_TYPES } from '../vod/types';
import { isHostName } from './escape';

/** The advice under failures, unless ALERT_HINT replaces it. */
export const DEFAULT_FAILURE_HINT = 'Next: check the origin of the domains above; once it serves these URLs, submit them again.';

/** The advice under stuck rows. */
export const STUCK_HINT = 'Stuck rows usually clear on their own; if one stays, submit the refresh again, and open a ticket with the TaskId if it hangs again.';

/**
 * The ApsaraVideo VOD console. Its documentation names the page where a refresh or preload is submitted — Configuration
 * Management › CDN Configuration › Refresh and Prefetch — but publishes no address for that page itself, so the link
 * is the console's entry and the path is written beside it.
 */
export const CONSOLE_URL = 'https://vod.console.aliyun.com';

/** The page of the console, in the console's own words. */
const CONSOLE_PAGE = 'Configuration Management › CDN Configuration › Refresh and Prefetch';

/** Commands listed under one heading at most; past it, one command per type stands for every domain. */
const MAX_COMMANDS = 4;

const CLI = 'npx vod-refresh-monitor tasks';

/** `--type` as `tasks` accepts it, or null for a type it does not know. */
function typeOf(objectType: string): string | null {
  const t = objectType.toLowerCase();
  return (OBJECT_TYPES as readonly string[]).includes(t) ? t : null;
}

/** A time as `tasks --since` accepts it, in UTC+8 like every time in a message: `2026-11-28T12:00:00+08:00`. */
export function cliTime(ms: number): string {
  return `${new Date(ms + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
}

interface Query {
  /** Null: every status (`Pending` is not a filter of the API). */
  readonly status: 'Failed' | 'Refreshing' | null;
  readonly type?: string | null;
  readonly domain?: string | null;
  readonly sinceMs?: number | null;
  readonly untilMs?: number;
}

/** One `tasks` command line, in backticks. Only validated values reach it: types `tasks` accepts, host names. */
export function tasksCommand(q: Query): string {
  const parts = q.status ? [CLI, `--status ${q.status}`] : [CLI];
  if (q.type) parts.push(`--type ${q.type}`);
  if (q.domain) parts.push(`--domain ${q.domain}`);
  parts.push(q.sinceMs == null ? '--since 3d' : `--since ${cliTime(Math.floor(q.sinceMs / 60_000) * 60_000)}`);
  if (q.untilMs !== undefined) parts.push(`--until ${cliTime(Math.ceil(q.untilMs / 1000) * 1000)}`);
  return `\`${parts.join(' ')}\``;
}

/**
 * The commands that list these rows, one per object type and domain, each from the earliest row's creation (to the
 * minute); past MAX_COMMANDS, one per type without `--domain`.
 */
export function listCommands(tasks: readonly TaskFacts[], status: Query['status']): string[] {
  const pairs = new Map<string, { type: string | null; domain: string | null; sinceMs: number | null }>();
  for (const t of tasks) {
    const type = typeOf(t.objectType);
    // `tasks` takes a domain in lower case (it lowers what it is given); anything but a host name is left out.
    const domain = type && isHostName(t.domain) && t.domain === t.domain.toLowerCase() ? t.domain : null;
    const ms = t.creationTime ? Date.parse(t.creationTime) : Number.NaN;
    const key = `${type}|${domain}`;
    const was = pairs.get(key);
    const sinceMs = Number.isNaN(ms) || (was && was.sinceMs === null) ? null : Math.min(ms, was?.sinceMs ?? ms);
    pairs.set(key, { type, domain, sinceMs });
  }
  let list = [...pairs.values()];
  if (list.length > MAX_COMMANDS) {
    const byType = new Map<string | null, number | null>();
    for (const p of list) {
      const was = byType.has(p.type) ? byType.get(p.type)! : p.sinceMs;
      byType.set(p.type, was === null || p.sinceMs === null ? null : Math.min(was, p.sinceMs));
    }
    list = [...byType].map(([type, sinceMs]) => ({ type, domain: null, sinceMs }));
  }
  return list
    .sort((a, b) => `${a.type}|${a.domain}`.localeCompare(`${b.type}|${b.domain}`))
    .map((p) => tasksCommand({ status, type: p.type, domain: p.domain, sinceMs: p.sinceMs }));
}

/**
 * The lines under failures that need people: the advice (ALERT_HINT, or the default), where to submit them again,
 * and the exact commands that list them. Our words carry no robot keyword of their own ("VOD" is left out on
 * purpose): a keyword found only under failures would let `test-alert` pass while every notice is refused.
 */
export function failureHints(tasks: readonly TaskFacts[], advice: string | undefined): string[] {
  return [advice ?? DEFAULT_FAILURE_HINT, `Submit again in the [ApsaraVideo console](${CONSOLE_URL}): ${CONSOLE_PAGE}.`, ...listing(tasks, 'Failed')];
}

/** The lines under stuck rows: the advice and the commands that list them. */
export function stuckHints(tasks: readonly TaskFacts[]): string[] {
  // `Pending` is no filter of the API: rows stuck Pending are listed among every status of their type and domain.
  return [STUCK_HINT, ...listing(tasks, tasks.every((t) => t.status === 'Refreshing') ? 'Refreshing' : null)];
}

const listing = (tasks: readonly TaskFacts[], status: Query['status']) => listCommands(tasks, status).map((c, i) => (i === 0 ? `List them: ${c}` : c));

/** The command that lists the failures a first run counted without listing them, one per object type it counted. */
export function backlogCommands(byType: Readonly<Record<string, number>>, sinceMs: number, untilMs: number): string {
  const types = Object.keys(byType)
    .map(typeOf)
    .filter((t): t is string => t !== null);
  const known = types.length > 0 && types.length === Object.keys(byType).length;
  const list = known ? [...new Set(types)].sort() : [null];
  return list.map((type) => tasksCommand({ status: 'Failed', type, sinceMs, untilMs })).join(' · ');
}

/** The notice that unfinished rows are past the watch cap, with the command that lists them for each object type. */
export function watchLimitNotice(notWatched: number, maxWatched: number, objectTypes: Iterable<string>): string {
  const types = [...new Set([...objectTypes].map(typeOf))].sort();
  const commands = (types.length ? types : [null]).map((type) => tasksCommand({ status: null, type }));
  return `${notWatched} unfinished URL(s) are not watched: the monitor already watches ${maxWatched}. A later failure of these is not reported; list them with ${commands.join(' and ')}.`;
}

/**
 * The commands that list the failures a mute held back: one per object type and domain from the earliest of them
 * (`firstFailed`, `<objectType>|<domain>` -> creation time), as under failures; the last 3 days when the mute did not
 * record them (a state of an earlier build). None when it held no failure.
 */
export function mutedCommands(firstFailed: Readonly<Record<string, number>> | undefined, failures: number): string[] {
  if (failures === 0) return [];
  const targets = Object.entries(firstFailed ?? {});
  if (targets.length === 0) return [tasksCommand({ status: 'Failed' })];
  const tasks = targets.map(([target, ms]): TaskFacts => {
    const at = target.indexOf('|');
    return {
      taskId: '',
      objectPath: '',
      objectType: target.slice(0, at),
      status: 'Failed',
      description: null,
      creationTime: new Date(ms).toISOString(),
      domain: target.slice(at + 1),
    };
  });
  return listCommands(tasks, 'Failed');
}
