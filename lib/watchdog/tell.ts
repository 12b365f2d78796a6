import { noticeKey } from '../events/keys';
import type { Notifier } from '../notify/notifier';
import type { renderMessages } from '../notify/render';
import type { Logger } from '../ports';
import type { AlertConfig } from './types';

/** What telling on-call needs: the channel's notifier, the renderer and the log. */
export interface Teller {
  readonly notifierOf: (alert: AlertConfig['alert']) => Notifier;
  readonly render: typeof renderMessages;
  readonly logger: Logger;
}

/** Sends one notice to the alert channel; true when the robot took it. Never throws. */
export async function tell(t: Teller, config: AlertConfig, notice: { topic: string; atMs: number; code: string; message: string }): Promise<boolean> {
  try {
    const notifier = t.notifierOf(config.alert);
    const options = {
      monitorName: config.alert.monitorName,
      keywords: config.alert.keywords,
      mentions: { atMobiles: config.alert.atMobiles, atUserIds: config.alert.atUserIds, atAllMinFailures: 0 },
      stuckAfterMinutes: 30,
      maxBodyBytes: notifier.maxBodyBytes,
    };
    const event = { kind: 'notice' as const, key: noticeKey(notice.topic, { at: notice.atMs }), code: notice.code, message: notice.message };
    const [m] = t.render([event], options, (x) => notifier.measure(x));
    const r = await notifier.send(m!, config.alert.timeoutMs);
    if (!r.ok) t.logger.error({ event: 'alert-failed', code: r.code, notice: notice.code }, `the watchdog's notice was not delivered: ${r.reason}`);
    return r.ok;
  } catch (err) {
    t.logger.error({ event: 'alert-failed', notice: notice.code, err }, "the watchdog's notice could not be sent");
    return false;
  }
}
