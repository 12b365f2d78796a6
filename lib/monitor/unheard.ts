import type { RunReport } from './types';

/**
 * Why nobody can hear this run's alerts, or null. A robot that refuses every message (a rotated signing secret, a
 * robot removed from its group, a keyword changed) silences the watchdog too, which speaks through the same robot: a
 * run that returned normally then would be silence. The handler fails the invocation instead, once the state is
 * saved, so that Function Compute's failure destination and an alarm on the function's errors speak
 * (docs/operations.md, "Who watches the watcher").
 */
export function unheard(report: RunReport): string | null {
  const e = report.alerts.error;
  if (!e?.refused || report.alerts.pending === 0) return null;
  const whose = e.receiver && e.receiver !== 'default' ? `the robot of receiver ${e.receiver}` : 'the robot';
  // Other receivers may have heard theirs: then only this one's on-call is deaf, and the words say so.
  const who =
    report.alerts.delivered > 0
      ? `The alerts of this run for ${e.receiver ? `receiver ${e.receiver}` : 'one receiver'} reached nobody (the others' were delivered)`
      : 'No alert of this run reached anyone';
  return (
    `${who}: ${whose} refuses every alert (${e.code}): ${e.reason.replace(/^alert not delivered: /, '')}. ` +
    `${report.alerts.pending} alert(s) wait in the state and go out once it takes them. ` +
    'Fix: check its webhook, signing secret and keyword (npx vod-refresh-monitor doctor)'
  );
}
