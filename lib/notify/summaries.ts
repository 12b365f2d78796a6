import type { AlertEvent, EventOf } from '../events/schema';
import { duration, localTime } from '../time';
import { vodAdvice } from '../vod/advice';
import { KNOWN_DESCRIPTIONS } from '../vod/descriptions';
import { domainText, inert, urlText } from './escape';
import { backlogCommands } from './hints';

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
  return `**${e.count} earlier failures** between ${localTime(e.sinceMs)} and ${localTime(e.untilMs)} were found on the first run and are counted, not listed (${list}). List them: ${backlogCommands(e.byType, e.sinceMs, e.untilMs)}`;
}

function mutedText(e: EventOf<'muted-summary'>): string {
  const by = (m: Record<string, number>, show = (k: string) => inert(k, 80)) =>
    Object.entries(m)
      .sort(([, a], [, b]) => b - a)
      .slice(0, 6)
      .map(([k, n]) => `${show(k)} ${n}`)
      .join(', ');
  return `**Muted by ${inert(e.mute, 40)}** from ${localTime(e.fromMs)} to ${localTime(e.toMs)}${e.reason ? ` (${inert(e.reason, 120)})` : ''}: ${e.count} alert(s) held back, now over (${by(e.byKind)}; ${by(e.byDescription) || 'no Description'}; ${by(e.byDomain, domainText) || 'no domain'}). List them with \`npx vod-refresh-monitor tasks --status Failed --type file --since 3d\`.`;
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

/** The daily digest: failures by domain and Description, the account's failure rate and its trend, what failed most, what is still open, retries, and whether the monitor ran all day. */
function digestText(e: EventOf<'digest'>): string {
  const lines = [`**Daily digest** from ${localTime(e.fromMs)} to ${localTime(e.toMs)}.`];
  const total = Object.values(e.failures).reduce((a, b) => a + b, 0);
  lines.push('', `Failed URLs for this receiver: ${total} (muted ones included).`);
  for (const [k, n] of Object.entries(e.failures)
    .sort(([, a], [, b]) => b - a)
    .slice(0, 15)) {
    const [domain, desc] = k.split('|');
    lines.push(`- ${domainText(domain ?? '')} · ${inert(desc ?? '', 80)}: ${n}`);
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
  if (e.topUrls.length) lines.push('', 'Failed most:', ...e.topUrls.map((u) => `- ${urlText(u.url)} · ${u.count === 1 ? 'once' : `${u.count} times`}`));
  lines.push('', `Still open now: ${e.unresolved} failed URL(s) not refreshed successfully since, ${e.stuck} stuck.`);
  if (e.retries) lines.push(`Automatic retries: ${e.retries.submitted} re-submitted, ${e.retries.recovered} recovered, ${e.retries.failedAgain} failed again.`);
  const blind = e.runs.blindMs > 0 ? ` It was blind for ${duration(e.runs.blindMs)}.` : ' It ran all day.';
  lines.push(`The monitor ran ${e.runs.total} time(s), ${e.runs.ok} read the API.${blind} No digest tomorrow means the monitor is down.`);
  return lines.join('\n');
}
