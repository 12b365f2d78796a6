import type { Config } from '../config';
import type { Clock } from '../ports';
import { DingTalkNotifier } from './dingtalk';
import type { Notifier } from './notifier';
import { JsonWebhookNotifier, WeComNotifier } from './webhook';

/** The notifier the configuration chooses; DingTalk by default. */
export function notifierFor(config: Config, now: Clock): Notifier {
  const { channel, url, secret, timeoutMs } = config.alert;
  if (!url) throw new Error('no alert URL configured');
  if (channel === 'webhook') return new JsonWebhookNotifier(url, timeoutMs);
  if (channel === 'wecom') return new WeComNotifier(url, timeoutMs);
  return new DingTalkNotifier({ webhook: url, secret: secret ?? undefined, now, timeoutMs });
}
