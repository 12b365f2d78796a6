import { vodAdvice } from '../../vod/advice';
import { cut } from '../format';
import { describeMs, type WaitTargets } from './input';
import type { Item, Verdict } from './verdict';

/** When the wait ran, the task ids it followed or found, and the command that waits again for the same URLs. */
export interface WaitFacts {
  readonly startedMs: number;
  readonly endedMs: number;
  readonly taskIds: readonly string[];
  readonly again: string | null;
}

/** A word as a shell reads it back: a URL holding `&`, `?`, `;`, `'`… goes in single quotes. */
const shellWord = (word: string) => (/^[\w./:%@+=,~-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);

/**
 * The command that waits again for exactly what a wait followed, to paste as printed: the same task ids and the same
 * URLs. Task ids alone would follow every URL merged into them (another job's URLs of the same domain and second);
 * URLs alone follow their newest task, as they did the first time. Null when there is neither.
 */
export function waitAgainCommand(t: WaitTargets): string | null {
  const words = [...(t.taskIds.length ? ['--task-id', t.taskIds.join(',')] : []), ...t.urls.map(shellWord)];
  return words.length ? `npx vod-refresh-monitor wait ${words.join(' ')}` : null;
}

/** The command to wait again, when waiting again can tell more: URLs were left unfinished, or the wait could not end. */
function againOf(v: Verdict, f: WaitFacts): string | null {
  const open = v.outcome === 'timeout' || v.outcome === 'unreadable' || (v.outcome === 'failed' && v.counts.unfinished > 0);
  return open ? f.again : null;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The one JSON document of `--json`: the outcome, its exit code, and every URL with its Status and Description. */
export function waitDocument(v: Verdict, f: WaitFacts, extra: Record<string, unknown> = {}) {
  return {
    outcome: v.outcome,
    exitCode: v.exitCode,
    endedBy: v.endedBy,
    startedAt: iso(f.startedMs),
    endedAt: iso(f.endedMs),
    elapsedSeconds: Math.round((f.endedMs - f.startedMs) / 1000),
    ...extra,
    taskIds: f.taskIds,
    waitAgain: againOf(v, f),
    counts: { total: v.items.length, ...v.counts },
    urls: v.items.map((i) => ({
      taskId: i.taskId,
      url: i.url,
      state: i.state,
      status: i.status,
      objectType: i.objectType,
      process: i.process,
      description: i.description,
    })),
    error: v.error,
  };
}

function detail(i: Item): string {
  if (i.state === 'failed') return cut(i.description ?? 'no Description', 40);
  if (i.state === 'not-found') return i.url === null ? 'no row for this task id' : 'not listed';
  if (i.status === null) return 'not listed yet';
  return cut(`${i.status}${i.process ? ` ${i.process}` : ''}`, 40);
}

const RESULT: Record<Item['state'], string> = { failed: 'FAILED', 'not-found': 'NOT FOUND', unfinished: 'unfinished', complete: 'complete' };

/** The table of what did not complete: result, Description (or Status), TaskId, URL. */
export function problemRows(v: Verdict): string[][] {
  return v.items
    .filter((i) => i.state !== 'complete')
    .map((i) => [RESULT[i.state], detail(i), cut(i.taskId ?? '-', 64), cut(i.url ?? '(every URL of the id)', 300)]);
}

/** The headers of problemRows. */
export const PROBLEM_HEADERS = ['Result', 'Description or Status', 'TaskId', 'URL'] as const;

function tally(v: Verdict): string {
  const c = v.counts;
  const parts = [
    `${c.complete} complete`,
    c.failed ? `${c.failed} failed` : '',
    c['not-found'] ? `${c['not-found']} not found` : '',
    c.unfinished ? `${c.unfinished} unfinished` : '',
  ];
  return `${v.items.length} URL(s): ${parts.filter(Boolean).join(', ')}`;
}

/** Why a failed wait ended with URLs unfinished. */
function stillOpen(v: Verdict): string {
  if (!v.counts.unfinished) return '';
  if (v.endedBy === 'fail-fast') return ' (--fail-fast: ended at the first failure)';
  if (v.endedBy === 'timeout') return ' (--timeout reached)';
  return ` (then the VOD API could not be read: ${v.error?.code})`;
}

/** The summary's first line, and its last (what to do next), around the table of problemRows. */
export function summaryLines(v: Verdict, f: WaitFacts): { head: string; tail: string[] } {
  const after = `after ${describeMs(f.endedMs - f.startedMs)}`;
  const command = againOf(v, f);
  const again = command ? `wait again: ${command}` : '';
  switch (v.outcome) {
    case 'complete':
      return { head: `complete: ${tally(v)}, ${after}`, tail: [] };
    case 'failed':
      return { head: `failed: ${tally(v)}, ${after}${stillOpen(v)}`, tail: [again].filter(Boolean) };
    case 'timeout':
      return { head: `timed out ${after}: ${tally(v)}`, tail: [again].filter(Boolean) };
    default:
      return {
        head: `stopped ${after}: the VOD API could not be read (${v.error?.code}: ${v.error?.message}); so far ${tally(v)}`,
        tail: [`fix: ${vodAdvice(v.error?.code ?? '')}`, again].filter(Boolean),
      };
  }
}

/** The terminal's progress line: counts, time waited, and when the next look is. */
export function progressLine(v: Verdict, waitedMs: number, pauseMs: number | null, columns: number): string {
  const next = pauseMs === null ? '' : `; next look in ${describeMs(pauseMs)}`;
  return cut(`waiting ${describeMs(waitedMs)}: ${tally(v)}${next}`, Math.max(20, columns - 1));
}
