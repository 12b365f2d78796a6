import { duration, localTime } from '../../time';
import type { HeartbeatView } from '../../watchdog';
import { whenAgo } from '../format';
import type { Deployed } from './gather';
import type { Finding } from './judge';

function lastRun(v: HeartbeatView, nowMs: number): Finding {
  const r = v.lastRun;
  if (r === null) return { outcome: 'note', text: 'no run has left a heartbeat yet (none since the deploy, or a build before the heartbeat)' };
  if (r.good) return { outcome: 'ok', text: `last run ${whenAgo(r.endedMs, nowMs)}: ${r.status}` };
  return { outcome: 'warn', text: `last run ${whenAgo(r.endedMs, nowMs)}: ${r.status}, not a good run: ${r.why ?? 'no reason given'}` };
}

function outage(v: HeartbeatView): Finding {
  const window = `${duration(v.windowMs)} without a good run (runs every ${duration(v.cadenceMs)})`;
  if (!v.outage || v.cause === null) return { outcome: 'ok', text: `the watchdog raises nothing: it would after ${window}` };
  const told = v.told?.announcedAtMs != null ? `told on-call at ${localTime(v.told.announcedAtMs)}` : 'not told yet: its next tick tells on-call';
  return { outcome: 'fail', text: `the watchdog is raising an outage, after ${window}: ${v.cause.text} (${told})`, fix: v.cause.fix };
}

/** A watchdog without its memory still tells outages, from the heartbeat alone: on-call should know, and fix it. */
function memory(v: HeartbeatView): Finding[] {
  if (!v.memory || v.memory.durable) return [];
  return [
    {
      outcome: 'warn',
      text: `the watchdog cannot keep its memory at ${v.memory.file} (${v.memory.code}): it tells an outage from the heartbeat alone, when it begins and once a day (docs/operations.md, "A watchdog that cannot keep its memory")`,
      fix: "make that file writable by the functions' role on the OSS mount (a folder in its place, a read-only mount or a missing oss:PutObject)",
    },
  ];
}

/** What the heartbeat shows, as the deployed watchdog sees it: last good run, last run, and whether it raises an outage. */
export function heartbeatFindings(d: Deployed, nowMs: number): Finding[] {
  if (!d.heartbeat) return [];
  if (d.heartbeat.kind === 'error') return [{ outcome: 'warn', text: `the watchdog could not say what the heartbeat shows: ${d.heartbeat.message}` }];
  const v = d.heartbeat.view;
  const good: Finding =
    v.lastGoodMs === null
      ? { outcome: v.outage ? 'fail' : 'note', text: 'no good run in the heartbeat yet (one that read the API and could deliver)' }
      : { outcome: v.outage ? 'fail' : 'ok', text: `last good run ${whenAgo(v.lastGoodMs, nowMs)} (one that read the API and could deliver)` };
  return [good, lastRun(v, nowMs), outage(v), ...memory(v)];
}
