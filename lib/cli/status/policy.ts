import type { StateSummary } from '../../monitor/status';
import { localTime } from '../../time';
import { whenAgo } from '../format';
import type { Finding } from './judge';

/**
 * What the last run said of the alerting file: the problems of a file it refused (its alerts went to the
 * environment's robot: a fail), and what each mute holds so far, per receiver, until its configured end.
 */
export function policyFindings(st: StateSummary, nowMs: number): Finding[] {
  const out: Finding[] = [];
  if (st.alertingProblem)
    out.push({
      outcome: 'fail',
      text: `the last run refused the alerting file (refused since ${whenAgo(st.alertingProblem.sinceMs, nowMs)}): every alert goes to the environment's robot (DINGTALK_WEBHOOK, or WECOM_WEBHOOK, ALERT_WEBHOOK_URL). ${st.alertingProblem.problem}`,
      fix: 'correct the file ALERTING_CONFIG names; `vod-refresh-monitor doctor` lists every problem',
    });
  for (const m of st.muted ?? [])
    out.push({
      outcome: 'note',
      text: `mute ${m.mute} holds ${m.count} alert(s) for ${m.receiver ?? '?'}${m.since ? ` since ${localTime(Date.parse(m.since))}` : ''}, until ${m.until ? localTime(Date.parse(m.until)) : 'its end'}${m.reason ? ` (${m.reason})` : ''}; a summary follows then`,
    });
  return out;
}
