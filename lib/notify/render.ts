import type { AlertEvent, EventOf, TaskFacts } from '../events/schema';
import { duration, localTime } from '../time';
import { vodAdvice } from '../vod/advice';
import { failureClass, KNOWN_DESCRIPTIONS } from '../vod/descriptions';
import { inert } from './escape';
import { DEFAULT_FAILURE_HINT, STUCK_HINT } from './hints';

/** Who a message rings, and when. */
export interface MentionPolicy {
  readonly atMobiles: readonly string[];
  readonly atUserIds: readonly string[];
  /** Ring @all when one message carries at least this many new failures; 0 never. */
  readonly atAllMinFailures: number;
}

export interface RenderOptions {
  /** In every title; the configuration's own text, shown verbatim. */
  readonly monitorName: string;
  /** Words the robot requires; shown verbatim (never made inert), the first in the title. */
  readonly keywords: readonly string[];
  readonly mentions: MentionPolicy;
  /** Largest body the channel accepts, as `measure` counts it. */
  readonly maxBodyBytes: number;
  /** The last line under failures (ALERT_HINT); the default points at the origin. */
  readonly failureHint?: string;
  readonly stuckAfterMinutes: number;
}

/** A message ready to send, and the alert keys it delivers. */
export interface RenderedMessage {
  readonly title: string;
  readonly text: string;
  readonly atMobiles: string[];
  readonly atUserIds: string[];
  readonly isAtAll: boolean;
  readonly keys: string[];
  /** URLs counted in the message but not listed for lack of room. */
  readonly unlisted: number;
}

type Row = { task: TaskFacts; note: string };
type Parts = {
  failed: EventOf<'failed'>[];
  stuck: EventOf<'stuck'>[];
  recovered: EventOf<'recovered'>[];
  resubmitted: EventOf<'resubmitted'>[];
  reminder: EventOf<'reminder'>[];
  other: AlertEvent[];
};

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

/** What automatic re-submission does about a failed URL, after it. */
function retryNote(e: EventOf<'failed'>): string {
  if (!e.retry) return '';
  if (e.retry.next === 'planned') return ' · re-submitting automatically';
  return ` · ${inert(e.retry.reason ?? 'no automatic retry', 120)}`;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) m.set(key(it), [...(m.get(key(it)) ?? []), it]);
  return m;
}

/** Known Descriptions first, in their order; any other text after them, alphabetically. */
function classOrder(a: string, b: string): number {
  const rank = (x: string) => {
    const i = (KNOWN_DESCRIPTIONS as readonly string[]).indexOf(x);
    return i < 0 ? KNOWN_DESCRIPTIONS.length : i;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

const header = (t: TaskFacts) => `TaskId ${inert(t.taskId, 64)} · ${inert(t.objectType, 20)} · ${created(t)}`;

function created(t: TaskFacts): string {
  const ms = t.creationTime ? Date.parse(t.creationTime) : NaN;
  return Number.isNaN(ms) ? 'time unknown' : localTime(ms);
}

/** Lists rows grouped by task id, as many URLs as the budget allows; returns the URLs listed. */
class Listing {
  listed = 0;
  total = 0;
  constructor(
    private readonly lines: string[],
    private readonly budget: number,
  ) {}

  tasks(rows: readonly Row[], header: (first: TaskFacts) => string): number {
    let shown = 0;
    for (const [, group] of groupBy(rows, (r) => r.task.taskId)) {
      this.total += group.length;
      const room = Math.max(0, Math.min(group.length, this.budget - this.listed));
      if (room === 0) continue;
      const head = `- ${header(group[0]!.task)}${group.length > 1 ? ` · ${group.length} URLs` : ''}`;
      const urls = group.slice(0, room).map((r) => `  ${inert(r.task.objectPath) || '(no path)'}${r.note}`);
      if (room < group.length) urls.push(`  … and ${group.length - room} more URLs of this task`);
      this.lines.push([head, ...urls].join('  \n'));
      this.listed += room;
      shown += room;
    }
    return rows.length - shown;
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
    if (e.kind === 'health-down') bits.push('monitor cannot read tasks');
    if (e.kind === 'health-up') bits.push('monitor reading again');
    if (e.kind === 'backlog') bits.push(`${e.count} earlier failures`);
    if (e.kind === 'state-reset') bits.push('state reset');
    if (e.kind === 'blind') bits.push(`monitor was blind ${duration(e.toMs - e.fromMs)}`);
    if (e.kind === 'notice') bits.push('notice');
    if (e.kind === 'muted-summary') bits.push(`${e.count} muted`);
    if (e.kind === 'digest') bits.push(`daily digest ${e.day}`);
  }
  const title = `${opts.monitorName}: ${[...new Set(bits)].join(', ') || 'no news'}`;
  const kw = opts.keywords[0];
  return kw && !title.includes(kw) ? `${kw} ${title}` : title;
}

function otherLines(e: AlertEvent): string | null {
  switch (e.kind) {
    case 'health-down':
      return `**The monitor cannot read refresh tasks** since ${localTime(e.sinceMs)}: ${inert(e.code, 80)}, ${inert(e.message, 200)}. Failures are not being watched until this is fixed. Fix: ${vodAdvice(e.code)}.`;
    case 'health-up':
      return `**The monitor reads refresh tasks again** (it could not since ${localTime(e.downSinceMs)}, ${inert(e.code, 80)}). Failures from the gap are included when they are still in the 3-day window.`;
    case 'backlog': {
      const by = Object.keys(e.byDescription).length ? e.byDescription : e.byType;
      const list = Object.entries(by)
        .sort(([a], [b]) => classOrder(a, b))
        .map(([d, n]) => `${inert(d, 80)} ${n}`)
        .join(', ');
      return `**${e.count} earlier failures** between ${localTime(e.sinceMs)} and ${localTime(e.untilMs)} were found on the first run and are counted, not listed (${list}).`;
    }
    case 'state-reset':
      return `**The state file could not be read** (${inert(e.reason, 200)}). It was kept at ${inert(e.keptAt, 200)}; this run started afresh, listing only recent failures.`;
    case 'blind':
      return `**The monitor was blind for ${duration(e.toMs - e.fromMs)}**, from ${localTime(e.fromMs)} to ${localTime(e.toMs)}: no run completed${e.cause ? ` (last error: ${inert(e.cause, 200)})` : ''}. It reads again now; failures from the gap are listed below while the API still holds them (3 days).`;
    case 'notice':
      return `**Notice:** ${e.message}`;
    case 'muted-summary': {
      const by = (m: Record<string, number>) =>
        Object.entries(m)
          .sort(([, a], [, b]) => b - a)
          .slice(0, 6)
          .map(([k, n]) => `${inert(k, 80)} ${n}`)
          .join(', ');
      return `**Muted by ${inert(e.mute, 40)}** from ${localTime(e.fromMs)} to ${localTime(e.toMs)}${e.reason ? ` (${inert(e.reason, 120)})` : ''}: ${e.count} alert(s) held back, now over (${by(e.byKind)}; ${by(e.byDescription) || 'no Description'}; ${by(e.byDomain) || 'no domain'}). List them with \`npx vod-refresh-monitor tasks --status Failed --type file --since 3d\`.`;
    }
    case 'digest':
      return digestText(e);
    default:
      return null;
  }
}

/** The daily digest: failures by domain and Description, the account's failure rate and its trend, what failed most, what is still open, retries, and whether the monitor ran all day. */
function digestText(e: EventOf<'digest'>): string {
  const lines = [`**Daily digest** from ${localTime(e.fromMs)} to ${localTime(e.toMs)}.`];
  const total = Object.values(e.failures).reduce((a, b) => a + b, 0);
  lines.push('', `Failed URLs for this receiver: ${total} (muted ones included).`);
  for (const [k, n] of Object.entries(e.failures)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 15)) {
    const [domain, desc] = k.split('|');
    lines.push(`- ${inert(domain ?? '', 100)} · ${inert(desc ?? '', 80)}: ${n}`);
  }
  if (e.account) {
    const rate = (f: number, r: number) => (r ? `${((100 * f) / r).toFixed(2)}%` : 'n/a');
    const trend = e.account.previousFailed
      ? `${e.account.failed >= e.account.previousFailed ? '+' : ''}${(((e.account.failed - e.account.previousFailed) / e.account.previousFailed) * 100).toFixed(0)}%`
      : 'n/a';
    lines.push(
      '',
      `The whole account, last 24 h: ${e.account.failed} failed of ${e.account.rows} URLs (${rate(e.account.failed, e.account.rows)}); the 24 h before: ${e.account.previousFailed} of ${e.account.previousRows} (${rate(e.account.previousFailed, e.account.previousRows)}); failures ${trend}.`,
    );
  }
  if (e.topUrls.length) lines.push('', 'Failed most:', ...e.topUrls.map((u) => `- ${inert(u.url)} · ${u.count === 1 ? 'once' : `${u.count} times`}`));
  lines.push('', `Still open now: ${e.unresolved} failed URL(s) not refreshed successfully since, ${e.stuck} stuck.`);
  if (e.retries) lines.push(`Automatic retries: ${e.retries.submitted} re-submitted, ${e.retries.recovered} recovered, ${e.retries.failedAgain} failed again.`);
  const blind = e.runs.blindMs > 0 ? ` It was blind for ${duration(e.runs.blindMs)}.` : ' It ran all day.';
  lines.push(`The monitor ran ${e.runs.total} time(s), ${e.runs.ok} read the API.${blind} No digest tomorrow means the monitor is down.`);
  return lines.join('\n');
}

/** A heading, its rows grouped by task (as many as the listing has room for), and how many were left out. */
function section(lines: string[], listing: Listing, heading: string, rows: readonly Row[], head: (t: TaskFacts) => string = header, where = ''): void {
  if (!rows.length) return;
  lines.push(heading);
  const hidden = listing.tasks(rows, head);
  if (hidden > 0) lines.push(`- … and ${hidden} more${where}`);
  lines.push('');
}

/** Failures grouped by class, then by domain. */
function failedSections(lines: string[], listing: Listing, failed: Parts['failed']): void {
  const byClass = groupBy(failed, (e) => failureClass(e.task.description));
  for (const cls of [...byClass.keys()].sort(classOrder)) {
    const items = byClass.get(cls)!;
    lines.push(`#### ${inert(cls, 80)}: ${items.length} failed`);
    const byDomain = groupBy(items, (e) => e.task.domain || '(no domain)');
    for (const domain of [...byDomain.keys()].sort()) {
      const rows = byDomain.get(domain)!.map((e) => ({ task: e.task, note: retryNote(e) }));
      section(lines, listing, `**${inert(domain, 100)}** (${rows.length})\n`, rows, header, ` on ${inert(domain, 100)}`);
    }
  }
}

const recoveredNote = (e: Parts['recovered'][number]) =>
  ` · after ${inert(failureClass(e.failedDescription), 60)} (TaskId ${inert(e.failedTaskId, 64)})${e.afterRetries ? ` · recovered after ${e.afterRetries === 1 ? 'an automatic retry' : `${e.afterRetries} automatic retries`}` : ''}`;

/** Every section of the message body, in the order people read them. */
function bodySections(lines: string[], listing: Listing, p: Parts, opts: RenderOptions): void {
  failedSections(lines, listing, p.failed);
  const stuck = p.stuck.map((e) => ({ task: e.task, note: ` · ${inert(e.task.status, 20)} for ${e.ageMinutes} min` }));
  section(lines, listing, `#### Stuck for more than ${opts.stuckAfterMinutes} minutes: ${p.stuck.length}`, stuck);
  section(
    lines,
    listing,
    `#### Recovered: ${p.recovered.length}`,
    p.recovered.map((e) => ({ task: e.task, note: recoveredNote(e) })),
  );
  const reminders = p.reminder.map((e) => ({ task: e.task, note: ` · reminder ${e.count} of ${e.max}` }));
  section(lines, listing, `#### Still failing, not refreshed successfully since: ${p.reminder.length}`, reminders);
  const resubmitted = p.resubmitted.map((e) => ({
    task: { ...e.task, taskId: e.newTaskId },
    note: ` · attempt ${e.attempt} of ${e.maxAttempts}, after ${inert(failureClass(e.task.description), 60)} (TaskId ${inert(e.task.taskId, 64)})`,
  }));
  section(
    lines,
    listing,
    `#### Re-submitted automatically: ${p.resubmitted.length}`,
    resubmitted,
    (t) => `TaskId ${inert(t.taskId, 64)} · ${inert(t.objectType, 20)} · submitted by the monitor`,
  );
}

/** Whom the message rings: only a message that needs people rings anyone. */
function mentionsFor(p: Parts, opts: RenderOptions, needsPeople: number) {
  // A failure the monitor is about to re-submit needs nobody yet: only what failed for good rings.
  const alarming =
    needsPeople > 0 ||
    p.stuck.length > 0 ||
    p.reminder.length > 0 ||
    p.other.some((e) => e.kind === 'health-down' || e.kind === 'state-reset' || e.kind === 'blind' || e.kind === 'notice');
  const isAtAll = alarming && opts.mentions.atAllMinFailures > 0 && needsPeople >= opts.mentions.atAllMinFailures;
  return { atMobiles: alarming ? [...opts.mentions.atMobiles] : [], atUserIds: alarming ? [...opts.mentions.atUserIds] : [], isAtAll };
}

/** Renders events into one markdown text, listing at most `budget` URLs; the counts are always exact. */
function compose(events: readonly AlertEvent[], opts: RenderOptions, budget: number, repeat: boolean) {
  const p = split(events);
  const lines: string[] = [];
  const listing = new Listing(lines, budget);
  const title = titleOf(p, opts);
  lines.push(`### ${title}`, '');
  if (repeat) lines.push('_Possibly a repeat: an earlier send of these alerts timed out, and may have arrived._', '');
  for (const e of p.other) {
    const text = otherLines(e);
    if (text) lines.push(text, '');
  }
  bodySections(lines, listing, p, opts);
  const needsPeople = p.failed.filter((e) => e.retry?.next !== 'planned');
  if (needsPeople.length) lines.push(`> ${opts.failureHint ?? DEFAULT_FAILURE_HINT}`);
  else if (p.failed.length) lines.push('> The monitor re-submits these itself; you hear again only if they fail again.');
  if (p.stuck.length) lines.push(`> ${STUCK_HINT}`);
  const mentions = mentionsFor(p, opts, needsPeople.length);
  const rings = [...mentions.atMobiles.map((m) => `@${m}`), ...mentions.atUserIds.map((u) => `@${u}`), ...(mentions.isAtAll ? ['@all'] : [])];
  if (rings.length) lines.push('', rings.join(' '));
  if (opts.keywords.length > 1) lines.push('', opts.keywords.join(' '));
  const text = lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd();
  return { title, text, listed: listing.listed, total: listing.total, mentions };
}

function fitInOne(events: readonly AlertEvent[], opts: RenderOptions, measure: (m: RenderedMessage) => number, repeat: boolean): RenderedMessage | null {
  const make = (budget: number): RenderedMessage => {
    const c = compose(events, opts, budget, repeat);
    return { title: c.title, text: c.text, ...c.mentions, keys: events.map((e) => e.key), unlisted: c.total - c.listed };
  };
  const all = make(Infinity);
  if (measure(all) <= opts.maxBodyBytes) return all;
  if (measure(make(0)) > opts.maxBodyBytes) return null;
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(make(mid)) <= opts.maxBodyBytes) lo = mid;
    else hi = mid - 1;
  }
  return make(lo);
}

/**
 * Renders events as few messages as possible: one, listing as many URLs as fit in `maxBodyBytes` and counting the
 * rest exactly; several only when even the counts do not fit. `repeats` are keys whose earlier send timed out: a
 * message carrying one says it may be a repeat.
 */
export function renderMessages(
  events: readonly AlertEvent[],
  opts: RenderOptions,
  measure: (m: RenderedMessage) => number,
  repeats: ReadonlySet<string> = new Set(),
): RenderedMessage[] {
  if (events.length === 0) return [];
  // A digest is a message of its own: it is read at a set time, not mixed into a stream.
  const digests = events.filter((e) => e.kind === 'digest');
  if (digests.length && digests.length < events.length)
    return [
      ...renderMessages(
        events.filter((e) => e.kind !== 'digest'),
        opts,
        measure,
        repeats,
      ),
      ...digests.flatMap((d) => renderMessages([d], opts, measure, repeats)),
    ];
  const one = fitInOne(
    events,
    opts,
    measure,
    events.some((e) => repeats.has(e.key)),
  );
  if (one) return [one];
  // One alert too long even alone (a huge notice): its short form, never an error that would block the outbox.
  if (events.length === 1) return [renderMinimal(events[0]!, opts, null)];
  const half = Math.ceil(events.length / 2);
  return [...renderMessages(events.slice(0, half), opts, measure, repeats), ...renderMessages(events.slice(half), opts, measure, repeats)];
}

/**
 * The smallest safe form of one alert the robot refused for its content: our own words and the task id only,
 * so on-call still learns that something happened and where to look.
 */
export function renderMinimal(event: AlertEvent, opts: RenderOptions, code: string | null): RenderedMessage {
  const what = 'task' in event ? `a ${event.kind} URL under TaskId ${event.task.taskId.replace(/[^0-9A-Za-z_-]/g, '')}` : `a ${event.kind} alert`;
  const kw = opts.keywords.join(' ');
  const title = `${opts.keywords[0] ? `${opts.keywords[0]} ` : ''}${opts.monitorName}: 1 alert in short form`;
  const why =
    code === null
      ? `The full text of ${what} is longer than one message may be. Its details are in the function's log (SLS)`
      : `The robot refused the full text of ${what} (errcode ${code.replace(/[^0-9A-Za-z_.-]/g, '')})`;
  const text = `### ${title}\n\n${why}. Look it up with \`npx vod-refresh-monitor tasks --since 3d\`.${kw ? `\n\n${kw}` : ''}`;
  return { title, text, atMobiles: [], atUserIds: [], isAtAll: false, keys: [event.key], unlisted: 0 };
}
