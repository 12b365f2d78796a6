import type { Config } from '../config';
import { renderOptionsOf } from '../monitor';
import type { Notifier } from '../notify/notifier';
import { type RenderedMessage, renderMessages } from '../notify/render';
import { formatApiTime } from '../vod/time';

/** How test messages are labelled, in title and text. */
const TEST_LABEL = 'TEST — not a real failure';

/** The channel's name for people. */
export function channelName(config: Config): string {
  return { dingtalk: 'DingTalk robot', wecom: 'WeCom robot', webhook: 'JSON webhook' }[config.alert.channel];
}

/** The variable that holds the channel's URL. */
export function webhookVariable(config: Config): string {
  return { dingtalk: 'DINGTALK_WEBHOOK', wecom: 'WECOM_WEBHOOK', webhook: 'ALERT_WEBHOOK_URL' }[config.alert.channel];
}

/** Who a real alert rings, in words. */
export function ringsOf(config: Config): string {
  const who = [...config.alert.atMobiles.map((m) => `@${m}`), ...config.alert.atUserIds.map((u) => `@${u}`)];
  return who.length ? who.join(' ') : 'nobody (DINGTALK_AT_MOBILES and DINGTALK_AT_USER_IDS are empty)';
}

/**
 * A sample alert as the monitor renders one (one made-up failed URL), labelled as a test in its title and text.
 * It rings nobody unless `ring` is set, and then only whom real alerts ring.
 */
export function testAlertMessage(config: Config, notifier: Notifier, nowMs: number, ring: boolean): RenderedMessage {
  const options = renderOptionsOf(config.alert, config, notifier.maxBodyBytes);
  const mentions = ring ? options.mentions : { atMobiles: [], atUserIds: [], atAllMinFailures: 0 };
  const task = {
    taskId: '0000000000',
    objectPath: 'http://example.com/vod-refresh-monitor/test-alert.mp4',
    objectType: 'file',
    status: 'Failed',
    description: 'Origin Timeout',
    creationTime: formatApiTime(nowMs - 60_000),
    domain: 'example.com',
  };
  const [rendered] = renderMessages(
    [{ kind: 'failed', key: `test:${nowMs}`, task }],
    // The failure hint is left out: a keyword found only in it would let the test pass while every notice, which
    // carries no hint, is refused (310000).
    { ...options, mentions, monitorName: `${TEST_LABEL}: ${config.alert.monitorName}`, failureHint: '(ALERT_HINT is left out of a test alert)' },
    (m) => notifier.measure(m),
  );
  const m = rendered!;
  const note = `**${TEST_LABEL}.** Sent by \`vod-refresh-monitor test-alert\` to check that alerts reach this group; the task below is made up (example.com). No action needed.${ring ? '' : ' It rings nobody.'}`;
  const [heading, ...rest] = m.text.split('\n');
  return { ...m, text: [heading, '', note, ...rest].join('\n').replace(/\n{3,}/g, '\n\n') };
}

/** The check message `doctor` sends: labelled as a doctor check, carrying the robot's keywords, ringing nobody. */
export function doctorCheckMessage(config: Config): RenderedMessage {
  const kw = config.alert.keywords;
  const base = `${config.alert.monitorName}: doctor check, not an alert`;
  const title = kw[0] && !base.includes(kw[0]) ? `${kw[0]} ${base}` : base;
  const lines = [
    `### ${title}`,
    '',
    'Sent by `vod-refresh-monitor doctor` to check this webhook, its signing and its keyword. No action needed; it rings nobody.',
  ];
  if (kw.length > 1) lines.push('', kw.join(' '));
  return { title, text: lines.join('\n'), atMobiles: [], atUserIds: [], isAtAll: false, keys: [], unlisted: 0 };
}

/**
 * What a DingTalk security refusal (310000) means when this machine sends unsigned: the robot's errmsg then speaks of
 * a timestamp or a signature, which points at the clock or the secret, while the fix is to set DINGTALK_SECRET.
 */
export function unsignedHint(config: Config, code: string): string {
  if (config.alert.channel !== 'dingtalk' || code !== '310000' || config.alert.secret) return '';
  return " DINGTALK_SECRET is not set, so nothing was signed: if the robot uses signing, set DINGTALK_SECRET to the robot's secret (it starts with SEC).";
}
