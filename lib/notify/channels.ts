import type { Config } from '../config';
import type { Clock } from '../ports';
import { DingTalkNotifier } from './dingtalk';
import type { Notifier } from './notifier';
import { JsonWebhookNotifier } from './webhook';
import { WeComNotifier } from './wecom';

/** The notifier the configuration chooses; DingTalk by default. */
export function notifierFor(alert: Pick<Config['alert'], 'channel' | 'url' | 'secret'>, now: Clock): Notifier {
  const { channel, url, secret } = alert;
  if (channel === 'webhook') return new JsonWebhookNotifier(url);
  if (channel === 'wecom') return new WeComNotifier(url);
  return new DingTalkNotifier({ webhook: url, secret: secret ?? undefined, now });
}
