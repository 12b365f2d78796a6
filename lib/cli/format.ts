import { shanghaiTime } from '../alert/render';
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

/** A plain text table with left-aligned columns. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function cut(s: string, max: number): string {
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** The rows of `tasks`, newest first, times in Asia/Shanghai. */
export function taskTable(tasks: RefreshTask[]): string {
  const rows = [...tasks]
    .sort((a, b) => (b.createdAtMs ?? 0) - (a.createdAtMs ?? 0))
    .map((t) => [t.createdAtMs === null ? '?' : shanghaiTime(t.createdAtMs), cut(t.status, 12), cut(t.objectType, 10), t.taskId, cut(t.description ?? '', 30), cut(t.objectPath, 100)]);
  return table(['Created (UTC+8)', 'Status', 'Type', 'TaskId', 'Description', 'ObjectPath'], rows);
}

/** Parses `30m`, `2h`, `3d` or an ISO time into epoch ms before `nowMs`. */
export function parseSince(value: string, nowMs: number): number {
  const d = /^(\d+)\s*([smhd])$/.exec(value.trim());
  if (d) return nowMs - Number(d[1]) * { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 }[d[2] as 's' | 'm' | 'h' | 'd'];
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new Error(`"${value}" is not a duration (30m, 2h, 3d) or a time (2026-11-28T10:00:00Z)`);
  return t;
}
