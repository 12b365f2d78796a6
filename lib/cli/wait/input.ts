import { CliError, EXIT } from '../printer';

/** What `wait` follows: task ids, URLs, or both (then those URLs under those ids). */
export interface WaitTargets {
  readonly taskIds: readonly string[];
  readonly urls: readonly string[];
}

/** Task ids are digits (the API documents them so); longer than this is a paste gone wrong. */
const TASK_ID = /^\d{1,20}$/;
/** The longest URL the refresh calls take (the CDN sibling's limit; VOD's is not published). */
const MAX_URL = 1024;

/** Collects a repeatable option whose values may also be comma-separated (`--task-id 1,2 --task-id 3`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim())];
}

/** Collects a repeatable option as given (URLs may hold commas). */
export function repeat(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Refuses (exit 2) anything that is not an http(s) URL with a host, naming it and what is accepted. */
export function checkUrl(option: string, raw: string): string {
  const url = raw.trim();
  const shown = JSON.stringify(url.slice(0, 80));
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    parsed = null;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol) || !parsed.hostname || /\s/.test(url) || !/^https?:\/\//i.test(url))
    throw new CliError(
      EXIT.usage,
      `${option} ${shown} is not a URL; use the full http:// or https:// URL of the file or directory, e.g. https://video.example.com/a.mp4`,
    );
  if (url.length > MAX_URL) throw new CliError(EXIT.usage, `${option} ${JSON.stringify(`${url.slice(0, 60)}…`)} is longer than ${MAX_URL} characters`);
  return url;
}

/** The targets of `wait`: task ids checked as digits, URLs as http(s); duplicates dropped; at least one of either. */
export function waitTargets(taskIds: readonly string[], urls: readonly string[]): WaitTargets {
  for (const id of taskIds)
    if (!TASK_ID.test(id))
      throw new CliError(
        EXIT.usage,
        `--task-id ${JSON.stringify(id.slice(0, 40))} is not a task id; use the digits the refresh call answered, e.g. --task-id 17028410512`,
      );
  const checked = urls.map((u) => checkUrl('URL', u));
  if (taskIds.length === 0 && checked.length === 0)
    throw new CliError(EXIT.usage, 'nothing to wait for: give --task-id <id> (repeatable or comma-separated), URLs, or both');
  return { taskIds: [...new Set(taskIds)], urls: [...new Set(checked)] };
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3600_000 };

/**
 * A duration such as `90s`, `30m`, `2h` or `1h30m` in ms, from `minMs` to `maxMs`; anything else is refused (exit 2)
 * naming the option and the accepted forms. A bare number is refused: seconds or minutes would be a guess.
 */
export function parseDuration(option: string, value: string, minMs: number, maxMs: number): number {
  const text = value.trim().toLowerCase();
  const parts = /^(?:(\d{1,4})h)?(?:(\d{1,5})m)?(?:(\d{1,6})s)?$/.exec(text);
  const ms = parts && text !== '' ? [parts[1], parts[2], parts[3]].reduce((sum, n, i) => sum + Number(n ?? 0) * UNIT_MS['hms'[i]!]!, 0) : NaN;
  const range = `from ${describeMs(minMs)} to ${describeMs(maxMs)}`;
  if (Number.isNaN(ms))
    throw new CliError(EXIT.usage, `${option} ${JSON.stringify(value.slice(0, 20))} is not a duration; use e.g. 90s, 30m, 2h or 1h30m (${range})`);
  if (ms < minMs || ms > maxMs) throw new CliError(EXIT.usage, `${option} ${value.trim()} is out of range; use ${range}`);
  return ms;
}

/** `90 s`, `30 min`, `1 h 30 min`: a duration for a person, to the second. */
export function describeMs(ms: number): string {
  const s = Math.round(ms / 1000);
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const parts = [h ? `${h} h` : '', m ? `${m} min` : '', sec || s === 0 ? `${sec} s` : ''].filter(Boolean);
  return parts.join(' ');
}
