import { createHmac } from 'node:crypto';
import type { Clock } from '../ports';
import { type Notifier, postJson, type SendResult } from './notifier';
import type { RenderedMessage } from './render';

export const DINGTALK_MAX_BODY_BYTES = 20_000;

/** DingTalk's signature: urlEncode(Base64(HmacSHA256(secret, `${timestampMs}\n${secret}`))), encoded once. */
export function dingTalkSign(timestampMs: number, secret: string): string {
  const digest = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`).digest('base64');
  return encodeURIComponent(digest);
}

/** The webhook URL with `timestamp` and `sign` appended when a signing secret is set. */
export function signedWebhookUrl(webhook: string, secret: string | undefined, timestampMs: number): string {
  if (!secret) return webhook;
  const sep = webhook.includes('?') ? '&' : '?';
  return `${webhook}${sep}timestamp=${timestampMs}&sign=${dingTalkSign(timestampMs, secret)}`;
}

/** The DingTalk markdown request body for a message. */
export function dingTalkBody(m: Pick<RenderedMessage, 'title' | 'text' | 'atMobiles' | 'atUserIds' | 'isAtAll'>): Record<string, unknown> {
  return { msgtype: 'markdown', markdown: { title: m.title, text: m.text }, at: { atMobiles: m.atMobiles, atUserIds: m.atUserIds, isAtAll: m.isAtAll } };
}

/** Body size in bytes of UTF-8, as the robot measures it. */
export function bodyBytes(m: Pick<RenderedMessage, 'title' | 'text' | 'atMobiles' | 'atUserIds' | 'isAtAll'>): number {
  return Buffer.byteLength(JSON.stringify(dingTalkBody(m)), 'utf8');
}

/** The plain-words cause of a `310000` security failure, from DingTalk's errmsg and whether the message was signed. */
export function securityCause(errmsg: string, signed = true): string {
  const m = errmsg.toLowerCase();
  if (!signed && (m.includes('sign') || m.includes('timestamp')))
    return "the robot requires signing (加签) and nothing was signed: set DINGTALK_SECRET to the robot's SEC... secret";
  if (m.includes('keyword')) return "the message lacks the robot's keyword: set DINGTALK_KEYWORDS to the keyword(s) in the robot's security settings";
  if (m.includes('timestamp')) return "the signing timestamp is more than an hour off DingTalk's clock: check the clock of the machine";
  if (m.includes('sign')) return "the signature does not match: DINGTALK_SECRET is not the robot's signing secret (SEC...)";
  if (m.includes('ip')) return "this machine's IP address is not in the robot's IP allow-list";
  return "the robot's security settings refused the message";
}

/** Errcodes that refuse a message for what it says: a smaller or plainer message may pass. */
const CONTENT_CODES = new Set([430101, 430102, 430103, 430104, 460101, 101002, 40035, 400402, 400105]);
/** Errcodes that refuse every message until the robot or the configuration is fixed. */
const CONFIG: Record<number, string> = {
  300001: "the webhook's access_token does not exist: copy the robot's webhook again into DINGTALK_WEBHOOK",
  300005: "the webhook's access_token does not exist: copy the robot's webhook again into DINGTALK_WEBHOOK",
  400101: "the webhook's access_token does not exist: copy the robot's webhook again into DINGTALK_WEBHOOK",
  400106: 'the robot does not exist any more: add it again and copy its webhook into DINGTALK_WEBHOOK',
  400102: 'the robot is disabled in its group: enable it',
  400013: "the robot's group was dissolved: add a robot to another group",
};

/** Classifies a DingTalk reply: an HTTP 200 with errcode other than 0 is a failure. */
export function classifyDingTalkReply(status: number, json: unknown, signed = true): SendResult {
  if (status >= 500 || status === 429) return { ok: false, kind: 'retryable', code: `http-${status}`, reason: `the robot answered HTTP ${status}` };
  const body = (json ?? {}) as { errcode?: unknown; errmsg?: unknown };
  const errmsg = typeof body.errmsg === 'string' ? body.errmsg.slice(0, 200) : '';
  if (status !== 200 || typeof body.errcode !== 'number') {
    return { ok: false, kind: status >= 400 ? 'config' : 'retryable', code: `http-${status}`, reason: `the robot answered HTTP ${status} without an errcode` };
  }
  const code = body.errcode;
  if (code === 0) return { ok: true };
  if (code === 130101 || code === 410100)
    return {
      ok: false,
      kind: 'rate-limited',
      code: String(code),
      reason: 'DingTalk says the robot sends too fast (over 20 messages a minute); it is throttled for 10 minutes',
    };
  if (code === -1) return { ok: false, kind: 'retryable', code: '-1', reason: 'DingTalk is busy' };
  if (code === 310000) return { ok: false, kind: 'config', code: '310000', reason: securityCause(errmsg, signed) };
  const config = CONFIG[code];
  if (config) return { ok: false, kind: 'config', code: String(code), reason: config };
  if (code === 460101 || code === 101002) return { ok: false, kind: 'content', code: String(code), reason: 'the message is over 20,000 bytes' };
  if (CONTENT_CODES.has(code))
    return { ok: false, kind: 'content', code: String(code), reason: `DingTalk refused the message's content: ${errmsg || 'no errmsg'}` };
  // An errcode this build does not know: taken for a refusal of this message, so the others still go out.
  return { ok: false, kind: 'content', code: String(code), reason: `DingTalk refused the message: ${errmsg || 'no errmsg'}` };
}

export interface DingTalkOptions {
  readonly webhook: string;
  readonly secret?: string | undefined;
  readonly now: Clock;
}

/** A DingTalk custom robot (markdown messages, optional signing). */
export class DingTalkNotifier implements Notifier {
  readonly channel = 'dingtalk';
  readonly maxBodyBytes = DINGTALK_MAX_BODY_BYTES;
  constructor(private readonly options: DingTalkOptions) {}

  measure(message: RenderedMessage): number {
    return bodyBytes(message);
  }

  async send(message: RenderedMessage, timeoutMs: number): Promise<SendResult> {
    const url = signedWebhookUrl(this.options.webhook, this.options.secret, this.options.now());
    const out = await postJson(url, dingTalkBody(message), timeoutMs);
    if ('ok' in out) return out;
    return classifyDingTalkReply(out.status, out.json, Boolean(this.options.secret));
  }
}
