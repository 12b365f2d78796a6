import { duration, localTime, shanghaiTime } from '../time';
import type { RefreshTask } from '../vod/types';

/** DingTalk markdown made readable in a terminal: markers dropped, headings set apart. */
export function markdownToTerminal(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/ {2}$/, ''))
    .map((line) => {
      const h = /^(#{1,6}) (.*)$/.exec(line);
      if (h) return h[1]!.length <= 3 ? `== ${h[2]} ==` : `-- ${h[2]}`;
      return line.replace(/\*\*(.+?)\*\*/g, '$1').replace(/^> /, '  ');
    })
    .join('\n');
}

/** The lines of a plain text table with left-aligned columns. */
export function tableLines(headers: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** API text made safe for a terminal line: control characters (escape sequences included) become spaces; cut at `max`. */
export function cut(s: string, max: number): string {
  const clean = s.replace(/\p{Cc}/gu, ' ');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** Table cells of task rows, times in UTC+8 (the header says so). */
export function taskRows(tasks: readonly RefreshTask[]): string[][] {
  return tasks.map((t) => [
    t.createdAtMs === null ? '?' : shanghaiTime(t.createdAtMs),
    cut(t.status, 12),
    cut(t.objectType, 10),
    cut(t.taskId, 64),
    cut(t.description ?? '', 30),
    cut(t.objectPath, 200),
  ]);
}

/** The header of a task table. */
export const TASK_HEADERS = ['Created (UTC+8)', 'Status', 'Type', 'TaskId', 'Description', 'ObjectPath'] as const;

/** A time for people, with its zone, and how long ago it was: `2026-11-28 10:00:00 UTC+8 (3 min ago)`. */
export function whenAgo(ms: number, nowMs: number): string {
  return `${localTime(ms)} (${ago(ms, nowMs)})`;
}

/** `3 min ago`, `under a minute ago`, or `in 2 min` for a time ahead of this machine's clock. */
function ago(ms: number, nowMs: number): string {
  if (Math.abs(nowMs - ms) < 60_000) return ms <= nowMs ? 'under a minute ago' : 'within a minute from now';
  return ms <= nowMs ? `${duration(nowMs - ms)} ago` : `in ${duration(ms - nowMs)}`;
}

/** A duration in ms for a table: `850 ms`, `12.4 s`, `3 min`. */
export function shortDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return duration(ms);
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 } as const;
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/i;
const UNZONED = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?)?$/;

/** Why a --since/--until value was refused, with both accepted forms. */
export class WhenError extends Error {}

/**
 * Parses `30m`, `2h`, `3d` (back from now) or a time WITH its zone (`2026-11-28T22:00:00Z`,
 * `2026-11-28T22:00:00+08:00`) into epoch ms. A time without a zone is refused: it would silently mean UTC or local.
 */
export function parseWhen(option: string, value: string, nowMs: number): number {
  const text = value.trim();
  if (/^now$/i.test(text)) return nowMs;
  const d = /^(\d{1,6})\s*([smhd])$/i.exec(text);
  if (d) return nowMs - Number(d[1]) * UNIT_MS[d[2]!.toLowerCase() as keyof typeof UNIT_MS];
  const forms = 'now, a duration back from now (30m, 2h, 3d) or a time with its zone (2026-11-28T22:00:00Z for UTC, 2026-11-28T22:00:00+08:00 for UTC+8)';
  if (UNZONED.test(text)) throw new WhenError(`${option} ${JSON.stringify(text)} has no time zone; use ${forms}`);
  const ms = ZONED.test(text) ? Date.parse(text.toUpperCase()) : NaN;
  if (Number.isNaN(ms)) throw new WhenError(`${option} ${JSON.stringify(text.slice(0, 40))} is not accepted; use ${forms}`);
  return ms;
}
