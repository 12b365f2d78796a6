import { type Config, ConfigError } from '../../config';
import { notifierFor } from '../../notify/channels';
import { type AlertingPlan, loadAlerting, type Receiver } from '../../policy/load';
import { isActive } from '../../policy/mute';
import type { Match } from '../../policy/schema';
import { ROBOT_PATHS, urlSecrets } from '../../redact';
import { shanghaiTime } from '../../time';
import type { Checklist } from '../checks';
import { doctorCheckMessage } from '../messages';
import type { Session } from '../session';

/**
 * A receiver's address for people: the host, the path only when it is a robot's own (any other may hold a token, as
 * Feishu and Slack hooks do), every query value masked.
 */
function where(r: Receiver): string {
  if (!r.alert.url) return '(no URL)';
  try {
    const u = new URL(r.alert.url);
    const query = [...u.searchParams.keys()].map((k) => `${k}=***`).join('&');
    return `${u.host}${ROBOT_PATHS.has(u.pathname) ? u.pathname : '/…'}${query ? `?${query}` : ''}`;
  } catch {
    return '(not a URL)';
  }
}

/** `domain video.example.com, kind failed|stuck`, or `everything`. */
export function describeMatch(m: Match): string {
  const parts = Object.entries(m)
    .filter(([, v]) => Array.isArray(v))
    .map(([k, v]) => `${k} ${(v as string[]).join('|')}`);
  return parts.length ? parts.join(', ') : 'everything';
}

function receiverLine(r: Receiver): string {
  const a = r.alert;
  const rings = [...a.atMobiles.map((m) => `@${m}`), ...a.atUserIds.map((u) => `@${u}`)];
  const extras =
    a.channel === 'dingtalk' ? `, ${a.secret ? 'signed' : 'unsigned'}, keywords ${a.keywords.join(' ') || 'none'}, rings ${rings.join(' ') || 'nobody'}` : '';
  return `${r.name}: ${a.channel} ${where(r)}${extras}, at most ${a.maxPerMinute}/min`;
}

function printPlan(list: Checklist, plan: AlertingPlan, nowMs: number): void {
  for (const r of plan.receivers.values()) list.add('ok', `receiver ${receiverLine(r)}`);
  plan.routes.forEach((r, i) => {
    list.add('ok', `route ${i + 1}: ${describeMatch(r.match)} -> ${r.receiver}`);
  });
  list.add('ok', `default: everything else -> ${plan.defaultReceiver}`);
  list.add(
    'note',
    plan.reminders
      ? `reminders every ${plan.reminders.everyMs / 60_000} min, ${plan.reminders.max} at most per failed URL`
      : 'no reminders: each failure is told once',
  );
  for (const m of plan.mutes) {
    const when =
      m.untilMs !== null
        ? `until ${shanghaiTime(m.untilMs)} UTC+8`
        : `weekly on day(s) ${m.weekly!.days.join(',')} (0 = Sunday), ${m.weekly!.fromMin} to ${m.weekly!.toMin} min after midnight UTC+8`;
    list.add('note', `mute ${m.name}: ${describeMatch(m.match)}, ${when}${isActive(m, nowMs) ? ' — ACTIVE NOW' : ''}`);
  }
  const d = plan.digest;
  list.add(
    'note',
    d
      ? `digest at ${String(Math.floor(d.atMin / 60)).padStart(2, '0')}:${String(d.atMin % 60).padStart(2, '0')} Asia/Shanghai to ${d.receivers.join(', ')}`
      : 'no daily digest',
  );
}

/**
 * With ALERTING_CONFIG: the file validated as a run validates it, the effective receivers and routes (secrets masked),
 * reminders, mutes (the active ones marked) and the digest; then, unless --no-send, a check message to each receiver.
 * True when the file took over the alerts (the single-robot check is then skipped); false for a refused file, whose
 * alerts go to the environment's robot.
 */
export async function checkAlerting(s: Session, list: Checklist, config: Config, send: boolean): Promise<boolean> {
  if (!config.alertingConfig) return false;
  list.section(`alerting file: ${config.alertingConfig}`);
  let plan: AlertingPlan;
  try {
    plan = await loadAlerting(config.alertingConfig, config, s.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) list.add('usage', p);
    list.add(
      'note',
      'until it is fixed, a run sends every alert to the robot of DINGTALK_WEBHOOK and says why; the run is degraded, and that robot is checked below',
    );
    // The environment's robot takes every alert meanwhile: it is checked as if there were no file.
    return false;
  }
  for (const r of plan.receivers.values()) s.print.addSecrets([r.alert.secret, ...urlSecrets([r.alert.url])]);
  printPlan(list, plan, s.now());
  if (!send) {
    list.add('skip', 'no check message sent (--no-send)');
    return true;
  }
  for (const r of plan.receivers.values()) {
    const res = await notifierFor(r.alert, s.now).send(doctorCheckMessage({ ...config, alert: r.alert }), r.alert.timeoutMs);
    if (res.ok) list.add('ok', `${r.name} accepted a check message; it rang nobody`);
    else if (res.kind === 'retryable' || res.kind === 'timeout')
      list.add('unreachable', `${r.name} could not be reached: ${res.reason}`, 'check its webhook variable and the network');
    else
      list.add(
        'fail',
        `${r.name} refused the check message (${res.code}): ${res.reason}`,
        res.kind === 'rate-limited' ? 'wait 10 minutes and run doctor again' : `check the webhook, secret and keywords of ${r.name}`,
      );
  }
  return true;
}
