import type { TaskFacts } from '../events/schema';
import { urlText } from './escape';

/** One URL row of a message: its task, and what follows its URL on the line. */
export interface Row {
  readonly task: TaskFacts;
  readonly note: string;
}

interface Group {
  readonly head: string;
  readonly urls: readonly string[];
}

/** The rows under one heading, grouped by task id in the order first seen, each line already written. */
export interface Block {
  readonly heading: string;
  readonly groups: readonly Group[];
  readonly total: number;
  /** Ends the line that counts the rows left out: "… and 3 more on video.example.com". */
  readonly where: string;
}

const moreOfTask = (n: number) => `  … and ${n} more URLs of this task`;
const moreOf = (b: Block, n: number) => `- … and ${n} more${b.where}`;

/** A block of rows under `heading`, grouped by task id; `header` writes a task's line. */
export function blockOf(heading: string, rows: readonly Row[], header: (t: TaskFacts) => string, where = ''): Block {
  const byTask = new Map<string, Row[]>();
  for (const r of rows) {
    const group = byTask.get(r.task.taskId);
    if (group) group.push(r);
    else byTask.set(r.task.taskId, [r]);
  }
  const groups = [...byTask.values()].map((g) => ({
    head: `- ${header(g[0]!.task)}${g.length > 1 ? ` · ${g.length} URLs` : ''}`,
    urls: g.map((r) => `  ${urlText(r.task.objectPath)}${r.note}`),
  }));
  return { heading, groups, total: rows.length, where };
}

/**
 * Appends the lines of a block listing its first `room` rows; returns how many it listed. What is not listed is counted
 * once: under its task when the task is shown ("… and 3 more URLs of this task"), else on the block's last line.
 */
export function pushBlock(lines: string[], b: Block, room: number): number {
  lines.push(b.heading);
  let listed = 0;
  let shown = 0;
  for (const g of b.groups) {
    const n = Math.min(g.urls.length, room - listed);
    if (n <= 0) break;
    let text = g.head;
    for (let i = 0; i < n; i++) text += `  \n${g.urls[i]}`;
    if (n < g.urls.length) text += `  \n${moreOfTask(g.urls.length - n)}`;
    lines.push(text);
    listed += n;
    shown += g.urls.length;
  }
  if (b.total > shown) lines.push(moreOf(b, b.total - shown));
  lines.push('');
  return listed;
}

/** Bytes of a string inside a JSON string (the strictest of the channels' measures: escapes count). */
export const jsonBytes = (s: string) => Buffer.byteLength(JSON.stringify(s)) - 2;

const LINE = jsonBytes('\n');
const BREAK = jsonBytes('  \n');

/**
 * What listing one more row of the block adds to the message, in JSON bytes, for each of its rows in order: its line,
 * its task's line when it is the first of its task, and the change of the lines that count what is left out (which
 * change digits, and go once nothing is left). Summed, these give the size of the message for any number of rows
 * listed, without writing it.
 */
export function addCosts(b: Block, into: number[]): void {
  const more = (n: number) => (n > 0 ? jsonBytes(moreOf(b, n)) + LINE : 0);
  const taskMore = (n: number) => (n > 0 ? BREAK + jsonBytes(moreOfTask(n)) : 0);
  let hidden = b.total;
  for (const g of b.groups) {
    const len = g.urls.length;
    // The first row of a task shows the task: its rows leave the block's count for the task's own.
    into.push(jsonBytes(g.head) + LINE + BREAK + jsonBytes(g.urls[0]!) + taskMore(len - 1) + more(hidden - len) - more(hidden));
    hidden -= len;
    for (let m = 1; m < len; m++) into.push(BREAK + jsonBytes(g.urls[m]!) + taskMore(len - m - 1) - taskMore(len - m));
  }
}
