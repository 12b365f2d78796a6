import type { AlertEvent, EventOf, TaskFacts } from '../events/schema';
import { duration, localTime } from '../time';
import { failureClass } from '../vod/descriptions';
import { domainText, inert } from './escape';
import { failureHints, stuckHints } from './hints';
import { type Block, blockOf, pushBlock } from './listing';
import { type Mentions, ringLine, whoIsRung } from './mentions';
import type { RenderOptions } from './render';
import { classOrder, summaryText } from './summaries';

type Parts = {
  failed: EventOf<'failed'>[];
  stuck: EventOf<'stuck'>[];
  recovered: EventOf<'recovered'>[];
  resubmitted: EventOf<'resubmitted'>[];
  reminder: EventOf<'reminder'>[];
  other: AlertEvent[];
};

/**
 * A message before its size is fitted: its lines, with the URL rows kept apart in blocks so that any number of them
 * can be listed (the others counted) without composing it again.
 */
export interface Draft {
  readonly title: string;
  readonly parts: readonly (string | Block)[];
  /** URL rows in all blocks. */
  readonly rows: number;
  readonly mentions: Mentions;
}

function split(events: readonly AlertEvent[]): Parts {
  const parts: Parts = { failed: [], stuck: [], recovered: [], resubmitted: [], reminder: [], other: [] };
  for (const e of events) {
    if (e.kind === 'failed') parts.failed.push(e);
    else if (e.kind === 'stuck') parts.stuck.push(e);
    else if (e.kind === 'recovered') parts.recovered.push(e);
    else if (e.kind === 'resubmitted') parts.resubmitted.push(e);
    else if (e.kind === 'reminder') parts.reminder.push(e);
    else parts.other.push(e);
  }
  return parts;
}

/** Items grouped by key, each group in the order its items came (a push, never a copy: linear in the items). */
function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const group = m.get(k);
    if (group) group.push(it);
    else m.set(k, [it]);
  }
  return m;
}

function otherTitle(e: AlertEvent): string | null {
  switch (e.kind) {
    case 'health-down':
      return 'monitor cannot read tasks';
    case 'health-up':
      return 'monitor reading again';
    case 'backlog':
      return `${e.count} earlier failure${e.count === 1 ? '' : 's'}`;
    case 'state-reset':
      return 'state reset';
    case 'blind':
      return `monitor was blind ${duration(e.toMs - e.fromMs)}`;
    case 'notice':
      return 'notice';
    case 'muted-summary':
      return `${e.count} muted`;
    case 'digest':
      return `daily digest ${e.day}`;
    default:
      return null;
  }
}

function titleOf(p: Parts, opts: RenderOptions): string {
  const bits: string[] = [];
  if (p.failed.length) bits.push(`${p.failed.length} failed`);
  if (p.stuck.length) bits.push(`${p.stuck.length} stuck`);
  if (p.recovered.length) bits.push(`${p.recovered.length} recovered`);
  if (p.resubmitted.length) bits.push(`${p.resubmitted.length} re-submitted`);
  if (p.reminder.length) bits.push(`${p.reminder.length} still failing`);
  for (const e of p.other) {
    const bit = otherTitle(e);
    if (bit) bits.push(bit);
  }
  const title = `${opts.monitorName}: ${[...new Set(bits)].join(', ') || 'no news'}`;
  const kw = opts.keywords[0];
  return kw && !title.includes(kw) ? `${kw} ${title}` : title;
}

function created(t: TaskFacts): string {
  const ms = t.creationTime ? Date.parse(t.creationTime) : Number.NaN;
  return Number.isNaN(ms) ? 'time unknown' : localTime(ms);
}

const header = (t: TaskFacts) => `TaskId ${inert(t.taskId, 64)} · ${inert(t.objectType, 20)} · ${created(t)}`;

/** What automatic re-submission does about a failed URL, after it. */
function retryNote(e: EventOf<'failed'>): string {
  if (!e.retry) return '';
  if (e.retry.next === 'planned') return ' · re-submitting automatically';
  return ` · ${inert(e.retry.reason ?? 'no automatic retry', 120)}`;
}

/** Failures grouped by class, then by domain. */
function failedParts(out: (string | Block)[], failed: Parts['failed']): void {
  const byClass = groupBy(failed, (e) => failureClass(e.task.description));
  for (const cls of [...byClass.keys()].sort(classOrder)) {
    const items = byClass.get(cls)!;
    out.push(`#### ${inert(cls, 80)}: ${items.length} failed`);
    const byDomain = groupBy(items, (e) => e.task.domain || '(no domain)');
    for (const domain of [...byDomain.keys()].sort()) {
      const rows = byDomain.get(domain)!.map((e) => ({ task: e.task, note: retryNote(e) }));
      out.push(blockOf(`**${domainText(domain)}** (${rows.length})\n`, rows, header, ` on ${domainText(domain)}`));
    }
  }
}

const recoveredNote = (e: Parts['recovered'][number]) =>
  ` · after ${inert(failureClass(e.failedDescription), 60)} (TaskId ${inert(e.failedTaskId, 64)})${e.afterRetries ? ` · recovered after ${e.afterRetries === 1 ? 'an automatic retry' : `${e.afterRetries} automatic retries`}` : ''}`;

/** Every block of URL rows, in the order people read them. */
function bodyParts(out: (string | Block)[], p: Parts, opts: RenderOptions): void {
  failedParts(out, p.failed);
  const add = (heading: string, rows: { task: TaskFacts; note: string }[], head = header) => {
    if (rows.length) out.push(blockOf(heading, rows, head));
  };
  add(
    `#### Stuck for more than ${opts.stuckAfterMinutes} minutes: ${p.stuck.length}`,
    p.stuck.map((e) => ({ task: e.task, note: ` · ${inert(e.task.status, 20)} for ${e.ageMinutes} min` })),
  );
  add(
    `#### Recovered: ${p.recovered.length}`,
    p.recovered.map((e) => ({ task: e.task, note: recoveredNote(e) })),
  );
  add(
    `#### Still failing, not refreshed successfully since: ${p.reminder.length}`,
    p.reminder.map((e) => ({ task: e.task, note: ` · reminder ${e.count} of ${e.max}` })),
  );
  add(
    `#### Re-submitted automatically: ${p.resubmitted.length}`,
    p.resubmitted.map((e) => ({
      task: { ...e.task, taskId: e.newTaskId },
      note: ` · attempt ${e.attempt} of ${e.maxAttempts}, after ${inert(failureClass(e.task.description), 60)} (TaskId ${inert(e.task.taskId, 64)})`,
    })),
    (t) => `TaskId ${inert(t.taskId, 64)} · ${inert(t.objectType, 20)} · submitted by the monitor`,
  );
}

/** A quote of several lines, each ending in a line break DingTalk renders. */
const quote = (lines: readonly string[]) => lines.map((l) => `> ${l}`).join('  \n');

const TROUBLE = new Set<AlertEvent['kind']>(['health-down', 'state-reset', 'blind', 'notice']);

/** Composes events into a draft: every line written once, the URL rows in blocks ready to be listed or counted. */
export function compose(events: readonly AlertEvent[], opts: RenderOptions, repeat: boolean): Draft {
  const p = split(events);
  const title = titleOf(p, opts);
  const parts: (string | Block)[] = [`### ${title}`, ''];
  if (opts.caveat) parts.push(`**${opts.caveat}**`, '');
  if (repeat) parts.push('_Possibly a repeat: an earlier send of these alerts timed out, and may have arrived._', '');
  for (const e of p.other) {
    const text = summaryText(e);
    if (text) parts.push(text, '');
  }
  bodyParts(parts, p, opts);
  const needsPeople = p.failed.filter((e) => e.retry?.next !== 'planned');
  const told = [...needsPeople.map((e) => e.task), ...p.reminder.map((e) => e.task)];
  const quotes: string[][] = [];
  if (told.length) quotes.push(failureHints(told, opts.failureHint));
  if (p.failed.length && !needsPeople.length) quotes.push(['The monitor re-submits these itself; you hear again only if they fail again.']);
  if (p.stuck.length) quotes.push(stuckHints(p.stuck.map((e) => e.task)));
  if (quotes.length) parts.push(quotes.map(quote).join('\n\n'));
  const mentions = whoIsRung(
    { needsPeople: needsPeople.length, stuck: p.stuck.length, reminders: p.reminder.length, monitorTrouble: p.other.filter((e) => TROUBLE.has(e.kind)).length },
    opts.mentions,
  );
  const rings = ringLine(mentions);
  if (rings) parts.push('', rings);
  if (opts.keywords.length > 1) parts.push('', opts.keywords.join(' '));
  const rows = parts.reduce((n, x) => n + (typeof x === 'string' ? 0 : x.total), 0);
  return { title, parts, rows, mentions };
}

/** The text of a draft listing its first `listed` URL rows and counting the others. */
export function textOf(d: Draft, listed: number): string {
  const lines: string[] = [];
  let room = listed;
  for (const part of d.parts) {
    if (typeof part === 'string') lines.push(part);
    else room -= pushBlock(lines, part, room);
  }
  return lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd();
}
