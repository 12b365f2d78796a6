import type { AlertEvent, EventOf } from '../events/schema';
import { duration, localTime } from '../time';
import { vodAdvice } from '../vod/advice';
import { KNOWN_DESCRIPTIONS } from '../vod/descriptions';
import { domainText, inert, urlText } from './escape';
import { backlogCommands, mutedCommands } from './hints';

/** Known Descriptions first, in their order; any other text after them, alphabetically. */
export function classOrder(a: string, b: string): number {
  const rank = (x: string) => {
    const i = (KNOWN_DESCRIPTIONS as readonly string[]).indexOf(x);
    return i < 0 ? KNOWN_DESCRIPTIONS.length : i;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

function backlogText(e: EventOf<'backlog'>): string {
  const by = Object.keys(e.byDescription).length ? e.byDescription : e.byType;
  const list = Object.entries(by)
    .sort(([a], [b]) => classOrder(a, b))
    .map(([d, n]) => `${inert(d, 80)} ${n}`)
    .join(', ');
  const were = e.count === 1 ? 'earlier failure** between %s was found' : 'earlier failures** between %s were found';
  const span = `${localTime(e.sinceMs)} and ${localTime(e.untilMs)}`;
  return `**${e.count} ${were.replace('%s', span)} on the first run and ${e.count === 1 ? 'is' : 'are'} counted, not listed (${list}). List them: ${backlogCommands(e.byType, e.sinceMs, e.untilMs)}`;
}

function mutedText(e: EventOf<'muted-summary'>): string {
  const by = (m: Record<string, number>, show = (k: string) => inert(k, 80)) =>
    Object.entries(m)
      .sort(([, a], [, b]) => b - a)
      .slice(0, 6)
      .map(([k, n]) => `${show(k)} ${n}`)
      .join(', ');
  const commands = mutedCommands(e.firstFailed, e.byKind.failed ?? 0);
  const list = commands.length ? ` List the failures: ${commands.join(' · ')}` : '';
  return `**Muted by ${inert(e.mute, 40)}**${e.reason ? ` (${inert(e.reason, 120)})` : ''}: ${e.count} alert(s) held back, from ${localTime(e.fromMs)} to the end of the mute at ${localTime(e.toMs)} (${by(e.byKind)}; ${by(e.byDescription) || 'no Description'}; ${by(e.byDomain, domainText) || 'no domain'}).${list}`;
}

/** The text of an event that lists no URLs (health, first-run count, blind gap, notice, mute summary, digest); null for the others. */
export function summaryText(e: AlertEvent): string | null {
  switch (e.kind) {
    case 'health-down':
      return `**The monitor cannot read refresh tasks** since ${localTime(e.sinceMs)}: ${inert(e.code, 80)}, ${inert(e.message, 200)}. Failures are not being watched until this is fixed. Fix: ${vodAdvice(e.code)}.`;
    case 'health-up':
      return `**The monitor reads refresh tasks again** (it could not since ${localTime(e.downSinceMs)}, ${inert(e.code, 80)}). Failures from the gap are included when they are still in the 3-day window.`;
    case 'backlog':
      return backlogText(e);
    case 'state-reset':
      return `**The state file could not be read** (${inert(e.reason, 200)}). It was kept at ${inert(e.keptAt, 200)}; this run started afresh, listing only recent failures.`;
    case 'blind':
      return `**The monitor was blind for ${duration(e.toMs - e.fromMs)}**, from ${localTime(e.fromMs)} to ${localTime(e.toMs)}: no run completed${e.cause ? ` (last error: ${inert(e.cause, 200)})` : ''}. It reads again now; failures from the gap are listed below while the API still holds them (3 days).`;
    case 'notice':
      return `**Notice:** ${e.message}`;
    case 'muted-summary':
      return mutedText(e);
    case 'digest':
      return digestText(e);
    default:
      return null;
  }
}

/** How the digest's period was watched: all of it, since when, or how long the monitor was blind in it. */
function runsText(e: EventOf<'digest'>): string {
  const r = e.runs;
  const limit = r.blindAfterMs !== undefined ? ` of more than ${duration(r.blindAfterMs)}` : '';
  const runs = `The monitor ran ${r.total} time(s) in this period, ${r.ok} of them good (read the API and could deliver).`;
  const since = e.firstPeriod ? ` It has been watching since ${localTime(e.fromMs)} (${duration(e.toMs - e.fromMs)}).` : '';
  if (r.blindMs > 0) {
    const longest = r.longest ? `, the longest from ${localTime(r.longest.fromMs)} to ${localTime(r.longest.toMs)}` : '';
    return `${runs}${since} It was blind for ${duration(r.blindMs)}: ${r.gaps ?? 1} gap(s)${limit} between good runs${longest}.`;
  }
  const whole = e.firstPeriod ? ' It ran without a gap since then' : e.toMs - e.fromMs >= 23 * 3600_000 ? ' It ran all day' : ' It ran the whole period';
  return `${runs}${since}${whole}${r.gaps !== undefined ? `: no gap${limit} between good runs.` : '.'}`;
}

/** The daily digest: failures by domain and Description, the account's failure rate and its trend, what failed more than once, what is still open, retries, and how the period was watched. */
function digestText(e: EventOf<'digest'>): string {
  const lines = [`**Daily digest** from ${localTime(e.fromMs)} to ${localTime(e.toMs)} (${duration(e.toMs - e.fromMs)}).`];
  const total = Object.values(e.failures).reduce((a, b) => a + b, 0);
  const told = e.told ? `: ${e.told.reported} reported one by one, ${e.told.muted} held back by mutes` : ' (muted ones included)';
  lines.push('', `Failed URLs for this receiver: ${total}${told}.`);
  for (const [k, n] of Object.entries(e.failures)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 15)) {
    const [domain, desc] = k.split('|');
    lines.push(`- ${domainText(domain ?? '')} · ${inert(desc ?? '', 80)}: ${n}`);
  }
  if (e.retries) lines.push(`Automatic retries: ${e.retries.submitted} re-submitted, ${e.retries.recovered} recovered, ${e.retries.failedAgain} failed again.`);
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
  const again = e.topUrls.filter((u) => u.count > 1);
  if (again.length) lines.push('', 'Failed more than once:', ...again.map((u) => `- ${urlText(u.url)} · ${u.count} times`));
  lines.push('', `Still open now: ${e.unresolved} failed URL(s) not refreshed successfully since, ${e.stuck} stuck.`);
  lines.push(`${runsText(e)} No digest tomorrow means the monitor is down.`);
  return lines.join('\n');
}
