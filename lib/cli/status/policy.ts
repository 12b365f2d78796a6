import type { StateSummary } from '../../monitor/status';
import { localTime } from '../../time';
import { whenAgo } from '../format';
import type { Finding } from './judge';

/** The mutes of the alerting file, as the last run left them: what each holds so far, per receiver, until its end. */
export function muteFindings(st: StateSummary): Finding[] {
  return (st.muted ?? []).map((m) => ({
    outcome: 'note',
    text: `mute ${m.mute} holds ${m.count} alert(s) for ${m.receiver ?? '?'}${m.since ? ` since ${localTime(Date.parse(m.since))}` : ''}, until ${m.until ? localTime(Date.parse(m.until)) : 'its end'}${m.reason ? ` (${m.reason})` : ''}; a summary follows then`,
  }));
}

/** What the last run met in the alerting file it refused: `the last run refused the alerting file (…): problems`. */
export function refusalText(problem: NonNullable<StateSummary['alertingProblem']>, nowMs: number): string {
  return `the last run refused the alerting file (refused since ${whenAgo(problem.sinceMs, nowMs)}): every alert goes to the environment's robot (DINGTALK_WEBHOOK, or WECOM_WEBHOOK, ALERT_WEBHOOK_URL). ${problem.problem}`;
}

/**
 * What the deployed monitor's last run said of the alerting file, for `status`: a file it refused (its alerts went to
 * the environment's robot: a fail), and what each mute holds.
 */
export function policyFindings(st: StateSummary, nowMs: number): Finding[] {
  const refused: Finding[] = st.alertingProblem
    ? [
        {
          outcome: 'fail',
          text: refusalText(st.alertingProblem, nowMs),
          fix: 'correct the file ALERTING_CONFIG names and deploy it; `npx vod-refresh-monitor doctor`, run with that ALERTING_CONFIG, lists every problem',
        },
      ]
    : [];
  return [...refused, ...muteFindings(st)];
}
