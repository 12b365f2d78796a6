import { inert } from './escape';
import { failureClass, KNOWN_DESCRIPTIONS, type AlertEvent, type TaskFacts } from './model';

/** Who a message rings, and when. */
export interface MentionPolicy {
  readonly atMobiles: readonly string[];
  readonly atUserIds: readonly string[];
  /** Ring @all when one message carries at least this many new failures; 0 never. */
  readonly atAllMinFailures: number;
}

export interface RenderOptions {
  readonly monitorName: string;
  /** Words the robot requires; the first one is put in the title and the text. */
  readonly keywords: readonly string[];
  readonly mentions: MentionPolicy;
  /** Largest request body in bytes of UTF-8 (DingTalk: 20,000). */
  readonly maxBodyBytes: number;
  /** Where on-call looks next; shown at the end of every message. */
  readonly hint: string;
  /** Stuck threshold in minutes, for the wording. */
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
  /** Tasks counted in the message but not listed for lack of room. */
  readonly unlisted: number;
}

const SHANGHAI = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/** `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai. */
export function shanghaiTime(ms: number): string {
  const p = Object.fromEntries(SHANGHAI.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

function created(t: TaskFacts): string {
  const ms = t.creationTime ? Date.parse(t.creationTime) : NaN;
  return Number.isNaN(ms) ? 'time unknown' : shanghaiTime(ms);
}

function taskLine(t: TaskFacts, extra = ''): string {
  return `- ${inert(t.objectPath) || '(no path)'}  \n  ${inert(t.objectType, 20)} · TaskId ${inert(t.taskId, 64)} · ${created(t)}${extra}`;
}

function classOrder(a: string, b: string): number {
  const ia = (KNOWN_DESCRIPTIONS as readonly string[]).indexOf(a);
  const ib = (KNOWN_DESCRIPTIONS as readonly string[]).indexOf(b);
  return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

type Parts = { failed: Extract<AlertEvent, { kind: 'failed' }>[]; stuck: Extract<AlertEvent, { kind: 'stuck' }>[]; recovered: Extract<AlertEvent, { kind: 'recovered' }>[]; other: AlertEvent[] };

function split(events: readonly AlertEvent[]): Parts {
  const parts: Parts = { failed: [], stuck: [], recovered: [], other: [] };
  for (const e of events) {
    if (e.kind === 'failed') parts.failed.push(e);
    else if (e.kind === 'stuck') parts.stuck.push(e);
    else if (e.kind === 'recovered') parts.recovered.push(e);
    else parts.other.push(e);
  }
  return parts;
}

function titleOf(p: Parts, opts: RenderOptions): string {
  const bits: string[] = [];
  if (p.failed.length) bits.push(`${p.failed.length} failed`);
  if (p.stuck.length) bits.push(`${p.stuck.length} stuck`);
  if (p.recovered.length) bits.push(`${p.recovered.length} recovered`);
  for (const e of p.other) {
    if (e.kind === 'health-down') bits.push('monitor cannot read tasks');
    if (e.kind === 'health-up') bits.push('monitor reading again');
    if (e.kind === 'backlog') bits.push(`${e.count} earlier failures`);
    if (e.kind === 'state-reset') bits.push('state reset');
  }
  const title = `${opts.monitorName}: ${bits.join(', ') || 'no news'}`;
  const kw = opts.keywords[0];
  return kw && !title.includes(kw) ? `${kw} ${title}` : title;
}

/** Renders events into one markdown text, listing at most `budget` tasks; the counts are always exact. */
function compose(events: readonly AlertEvent[], opts: RenderOptions, budget: number): { title: string; text: string; listed: number; total: number; mentions: Pick<RenderedMessage, 'atMobiles' | 'atUserIds' | 'isAtAll'> } {
  const p = split(events);
  const lines: string[] = [];
  let listed = 0;
  let total = 0;
  const list = (t: TaskFacts, extra = '') => {
    total++;
    if (listed < budget) {
      listed++;
      lines.push(taskLine(t, extra));
      return true;
    }
    return false;
  };
  const title = titleOf(p, opts);
  lines.push(`### ${inert(title, 200)}`, '');

  for (const e of p.other) {
    if (e.kind === 'health-down') lines.push(`**The monitor cannot read refresh tasks** since ${shanghaiTime(e.sinceMs)}: ${inert(e.code, 80)}, ${inert(e.message, 200)}. Failures are not being watched until this is fixed.`, '');
    if (e.kind === 'health-up') lines.push(`**The monitor reads refresh tasks again** (it could not since ${shanghaiTime(e.downSinceMs)}, ${inert(e.code, 80)}). Failures from the gap are included when they are still in the 3-day window.`, '');
    if (e.kind === 'backlog') {
      const by = Object.entries(e.byDescription).sort(([a], [b]) => classOrder(a, b)).map(([d, n]) => `${inert(d, 80)} ${n}`).join(', ');
      lines.push(`**${e.count} earlier failures** between ${shanghaiTime(e.sinceMs)} and ${shanghaiTime(e.untilMs)} were found on the first run and are counted, not listed (${by}).`, '');
    }
    if (e.kind === 'state-reset') lines.push(`**The state file could not be read** (${inert(e.reason, 200)}). It was kept at ${inert(e.keptAt, 200)}; this run started afresh, listing only recent failures.`, '');
  }

  if (p.failed.length) {
    const byClass = groupBy(p.failed, (e) => failureClass(e.task.description));
    for (const cls of [...byClass.keys()].sort(classOrder)) {
      const items = byClass.get(cls)!;
      lines.push(`#### ${inert(cls, 80)}: ${items.length} failed`);
      const byDomain = groupBy(items, (e) => e.task.domain || '(no domain)');
      for (const domain of [...byDomain.keys()].sort()) {
        const ds = byDomain.get(domain)!;
        lines.push(`**${inert(domain, 100)}** (${ds.length})`, '');
        const before = listed;
        for (const e of ds) list(e.task);
        const hidden = ds.length - (listed - before);
        if (hidden > 0) lines.push(`- … and ${hidden} more on ${inert(domain, 100)}`);
        lines.push('');
      }
    }
  }
  if (p.stuck.length) {
    lines.push(`#### Stuck for more than ${opts.stuckAfterMinutes} minutes: ${p.stuck.length}`);
    const before = listed;
    for (const e of p.stuck) list(e.task, ` · ${inert(e.task.status, 20)} for ${e.ageMinutes} min`);
    const hidden = p.stuck.length - (listed - before);
    if (hidden > 0) lines.push(`- … and ${hidden} more`);
    lines.push('');
  }
  if (p.recovered.length) {
    lines.push(`#### Recovered: ${p.recovered.length}`);
    const before = listed;
    for (const e of p.recovered) list(e.task, ` · after ${inert(failureClass(e.failedDescription), 60)} (TaskId ${inert(e.failedTaskId, 64)})`);
    const hidden = p.recovered.length - (listed - before);
    if (hidden > 0) lines.push(`- … and ${hidden} more`);
    lines.push('');
  }

  lines.push(`> ${opts.hint}`);
  const alarming = p.failed.length > 0 || p.stuck.length > 0 || p.other.some((e) => e.kind === 'health-down' || e.kind === 'state-reset');
  const atAll = alarming && opts.mentions.atAllMinFailures > 0 && p.failed.length >= opts.mentions.atAllMinFailures;
  const atMobiles = alarming ? [...opts.mentions.atMobiles] : [];
  const atUserIds = alarming ? [...opts.mentions.atUserIds] : [];
  const rings = [...atMobiles.map((m) => `@${m}`), ...atUserIds.map((u) => `@${u}`), ...(atAll ? ['@all'] : [])];
  if (rings.length) lines.push('', rings.join(' '));
  if (opts.keywords.length > 1) lines.push('', opts.keywords.join(' '));
  return { title, text: lines.join('\n'), listed, total, mentions: { atMobiles, atUserIds, isAtAll: atAll } };
}

/** The DingTalk markdown request body for a message. */
export function dingTalkBody(m: Pick<RenderedMessage, 'title' | 'text' | 'atMobiles' | 'atUserIds' | 'isAtAll'>): Record<string, unknown> {
  return { msgtype: 'markdown', markdown: { title: m.title, text: m.text }, at: { atMobiles: m.atMobiles, atUserIds: m.atUserIds, isAtAll: m.isAtAll } };
}

/** Body size in bytes of UTF-8, as the robot measures it. */
export function bodyBytes(m: Pick<RenderedMessage, 'title' | 'text' | 'atMobiles' | 'atUserIds' | 'isAtAll'>): number {
  return Buffer.byteLength(JSON.stringify(dingTalkBody(m)), 'utf8');
}

function fit(events: readonly AlertEvent[], opts: RenderOptions, measure: (m: RenderedMessage) => number): RenderedMessage | null {
  const make = (budget: number): RenderedMessage => {
    const c = compose(events, opts, budget);
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
 * Renders a run's events as few messages as possible: one, listing as many tasks as fit in `maxBodyBytes` and
 * counting the rest exactly; several only when even the counts do not fit in one.
 */
export function renderMessages(events: readonly AlertEvent[], opts: RenderOptions, measure: (m: RenderedMessage) => number = bodyBytes): RenderedMessage[] {
  if (events.length === 0) return [];
  const one = fit(events, opts, measure);
  if (one) return [one];
  if (events.length === 1) throw new Error('a single alert does not fit in the message size limit');
  const half = Math.ceil(events.length / 2);
  return [...renderMessages(events.slice(0, half), opts, measure), ...renderMessages(events.slice(half), opts, measure)];
}
