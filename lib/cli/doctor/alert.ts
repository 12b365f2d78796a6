import type { Config } from '../../config';
import { notifierFor } from '../../notify/channels';
import type { Checklist } from '../checks';
import { channelName, doctorCheckMessage, ringsOf, unsignedHint, webhookVariable } from '../messages';
import type { Session } from '../session';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** What the DingTalk settings mean: signing, keywords, the host. */
function dingTalkSettings(list: Checklist, config: Config): void {
  const a = config.alert;
  if (a.secret) list.add('ok', 'signing is on (DINGTALK_SECRET is set and starts with SEC)');
  else list.add('note', 'signing is off: if the robot uses signing, set DINGTALK_SECRET to its secret (it starts with SEC)');
  if (a.keywords.length) list.add('ok', `keyword(s) ${a.keywords.join(', ')}: the first goes in every title, all of them in texts`);
  else list.add('note', 'no DINGTALK_KEYWORDS: if the robot requires a keyword, every message is refused (errcode 310000)');
  const host = new URL(a.url).hostname;
  if (host !== 'oapi.dingtalk.com' && !LOOPBACK.has(host))
    list.add('warn', `the DINGTALK_WEBHOOK host is ${host}, not oapi.dingtalk.com`, 'copy the webhook from the robot settings in the DingTalk group');
}

/** The channel's settings, then (unless --no-send) a check message labelled as a doctor check that rings nobody. */
export async function checkAlert(s: Session, list: Checklist, config: Config, send: boolean): Promise<void> {
  const variable = webhookVariable(config);
  list.section(`alert channel: ${channelName(config)} (${variable})`);
  if (config.alert.channel === 'dingtalk') dingTalkSettings(list, config);
  if (config.alert.channel === 'wecom') list.add('ok', 'WECOM_WEBHOOK carries its key=; WeCom robots have no signing');
  list.add('note', `real alerts ring ${ringsOf(config)}`);
  if (!send) return list.add('skip', 'no check message sent (--no-send)');
  const r = await notifierFor(config.alert, s.now).send(doctorCheckMessage(config), config.alert.timeoutMs);
  if (r.ok) return list.add('ok', 'the robot accepted a check message labelled as a doctor check; it rang nobody');
  if (r.kind === 'retryable' || r.kind === 'timeout')
    return list.add('unreachable', `the robot could not be reached or is failing: ${r.reason}`, `check ${variable} and this machine's network, then try again`);
  list.add(
    'fail',
    `the robot refused the check message (${r.code}): ${r.reason}`,
    r.kind === 'rate-limited' ? 'wait 10 minutes and run doctor again' : unsignedHint(config, r.code).trim() || undefined,
  );
}
