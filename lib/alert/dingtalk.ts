import { createHmac } from 'node:crypto';
import type { Clock } from '../ports';
import { postJson, type Notifier, type SendResult } from './notifier';
import { bodyBytes, dingTalkBody, type RenderedMessage } from './render';

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

/** The plain-words cause of a `310000` security failure, from DingTalk's errmsg. */
export function securityCause(errmsg: string): string {
  const m = errmsg.toLowerCase();
  if (m.includes('keyword')) return 'the message lacks the robot\'s keyword: set DINGTALK_KEYWORDS to the keyword(s) in the robot\'s security settings';
  if (m.includes('timestamp')) return 'the signing timestamp is more than an hour off DingTalk\'s clock: check the clock of the machine';
  if (m.includes('sign')) return 'the signature does not match: DINGTALK_SECRET is not the robot\'s signing secret (SEC...)';
  if (m.includes('ip')) return 'this machine\'s IP address is not in the robot\'s IP allow-list';
  return 'the robot\'s security settings refused the message';
}

/** Classifies a DingTalk reply: an HTTP 200 with errcode other than 0 is a failure. */
export function classifyDingTalkReply(status: number, json: unknown): SendResult {
  if (status >= 500 || status === 429) return { ok: false, kind: 'retryable', code: `http-${status}`, reason: `the robot answered HTTP ${status}` };
  const body = (json ?? {}) as { errcode?: unknown; errmsg?: unknown };
  const errmsg = typeof body.errmsg === 'string' ? body.errmsg.slice(0, 200) : '';
  if (status !== 200 || typeof body.errcode !== 'number') {
    return { ok: false, kind: status >= 400 ? 'permanent' : 'retryable', code: `http-${status}`, reason: `the robot answered HTTP ${status} without an errcode` };
  }
  const code = body.errcode;
  if (code === 0) return { ok: true };
  if (code === 130101 || code === 410100) return { ok: false, kind: 'rate-limited', code: String(code), reason: 'DingTalk says the robot sends too fast (over 20 messages a minute); it is throttled for 10 minutes' };
  if (code === -1) return { ok: false, kind: 'retryable', code: '-1', reason: 'DingTalk is busy' };
  if (code === 310000) return { ok: false, kind: 'permanent', code: '310000', reason: securityCause(errmsg) };
  if (code === 300001 || code === 300005) return { ok: false, kind: 'permanent', code: String(code), reason: 'the webhook\'s access_token does not exist: copy the robot\'s webhook again into DINGTALK_WEBHOOK' };
  if (code === 400102) return { ok: false, kind: 'permanent', code: '400102', reason: 'the robot is disabled in its group' };
  if (code === 460101 || code === 101002) return { ok: false, kind: 'permanent', code: String(code), reason: 'the message is over 20,000 bytes' };
  return { ok: false, kind: 'permanent', code: String(code), reason: `DingTalk refused the message: ${errmsg || 'no errmsg'}` };
}

export interface DingTalkOptions {
  readonly webhook: string;
  readonly secret?: string | undefined;
  readonly timeoutMs?: number;
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

  async send(message: RenderedMessage): Promise<SendResult> {
    const url = signedWebhookUrl(this.options.webhook, this.options.secret, this.options.now());
    const out = await postJson(url, dingTalkBody(message), this.options.timeoutMs ?? 5000);
    if ('ok' in out) return out;
    return classifyDingTalkReply(out.status, out.json);
  }
}
