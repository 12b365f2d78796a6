// The run report for people. Imported by the demo, so it stays free of the CLI's heavier dependencies (commander, the FC SDK).

import type { RunReport } from '../monitor/types';
import { localTime } from '../time';
import { vodAdvice } from '../vod/advice';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function readLine(r: RunReport): string {
  const read = r.read;
  const parts = [`read: ${read.status} (${read.mode}), ${plural(read.rows, 'row')}, ${plural(r.apiCalls, 'API call')}, ${r.durationMs} ms`];
  if (read.frontier) parts.push(`read up to ${localTime(Date.parse(read.frontier))}`);
  if (read.rangesPending) parts.push(`${plural(read.rangesPending, 'range')} left for the next run`);
  if (read.throttled) parts.push(`throttled ${read.throttled} time(s), slowed to ${read.ratePerSecond}/s`);
  if (read.countMismatches) parts.push(`${read.countMismatches} listing(s) held fewer rows than the API counted`);
  return parts.join('; ');
}

function alertsLine(r: RunReport): string {
  const a = r.alerts;
  const extra = [
    a.uncertain ? `${a.uncertain} uncertain (timed out, may have arrived)` : '',
    a.dropped ? `${a.dropped} dropped after three refusals` : '',
  ].filter(Boolean);
  return `alerts: ${plural(a.messagesSent, 'message')} sent, ${a.delivered} delivered, ${a.pending} pending${extra.length ? `, ${extra.join(', ')}` : ''}${a.error ? ` - ${a.error.reason}` : ''}`;
}

/** A refused alerting file, and what the mutes hold: none of it may pass unseen. */
function policyLines(r: RunReport): string[] {
  const p = r.policy;
  if (!p) return [];
  const lines = p.alertingProblem ? [`alerting file refused, every alert went to the environment's robot: ${p.alertingProblem}`] : [];
  if (p.heldThisRun) lines.push(`muted: ${plural(p.heldThisRun, 'alert')} held back this run`);
  for (const m of p.mutes)
    lines.push(
      `mute ${m.mute}: ${m.receiver ? `holds ${m.count} for ${m.receiver} since ${localTime(Date.parse(m.since!))}` : 'holds nothing yet'}, until ${m.until ? localTime(Date.parse(m.until)) : 'unknown'}`,
    );
  return lines;
}

/** One line per fact of a run report, for people; every time carries its zone. */
export function summary(r: RunReport): string {
  const lines = [
    `status: ${r.status}${r.dryRun ? ' (dry run: nothing sent, no state written)' : ''}${r.reason ? ` - ${r.reason}` : ''}`,
    readLine(r),
    `failures: ${r.failures.new} new${r.failures.backlog ? `, ${r.failures.backlog} earlier (counted, not listed)` : ''}; stuck: ${r.stuck}; recovered: ${r.recovered}`,
    alertsLine(r),
    `monitor health: ${r.health}${r.read.error ? ` - ${r.read.error.code}: ${r.read.error.message} (fix: ${vodAdvice(r.read.error.code)})` : ''}`,
  ];
  lines.push(...policyLines(r));
  if (r.state?.migratedFrom) lines.push(`state: converted from version ${r.state.migratedFrom}`);
  if (r.state?.reset) lines.push(`state: started afresh - ${r.state.reset}`);
  return lines.join('\n');
}
