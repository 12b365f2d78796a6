import { postJson, type Notifier, type SendResult } from './notifier';
import type { RenderedMessage } from './render';

function classifyHttp(status: number): SendResult {
  if (status >= 200 && status < 300) return { ok: true };
  if (status === 429) return { ok: false, kind: 'rate-limited', code: 'http-429', reason: 'the webhook answered 429 Too Many Requests' };
  if (status >= 500 || status === 408) return { ok: false, kind: 'retryable', code: `http-${status}`, reason: `the webhook answered HTTP ${status}` };
  return { ok: false, kind: 'permanent', code: `http-${status}`, reason: `the webhook refused the alert with HTTP ${status}` };
}

/** The body a plain JSON webhook receives. */
export function webhookBody(m: RenderedMessage): Record<string, unknown> {
  return { source: 'vod-refresh-monitor', title: m.title, markdown: m.text, alertKeys: m.keys, unlisted: m.unlisted };
}

/** A plain JSON webhook (any 2xx is delivery), for paging systems and chat bridges. */
export class JsonWebhookNotifier implements Notifier {
  readonly channel = 'webhook';
  readonly maxBodyBytes = 256_000;
  constructor(private readonly url: string, private readonly timeoutMs = 5000) {}
  measure(m: RenderedMessage): number {
    return Buffer.byteLength(JSON.stringify(webhookBody(m)));
  }
  async send(m: RenderedMessage): Promise<SendResult> {
    const out = await postJson(this.url, webhookBody(m), this.timeoutMs);
    return 'ok' in out ? out : classifyHttp(out.status);
  }
}

/** WeCom's markdown content limit, in bytes. */
export const WECOM_MAX_CONTENT_BYTES = 4096;

/** A WeCom (企业微信) group robot: markdown, no signing, 20 messages a minute. */
export class WeComNotifier implements Notifier {
  readonly channel = 'wecom';
  readonly maxBodyBytes = WECOM_MAX_CONTENT_BYTES;
  constructor(private readonly url: string, private readonly timeoutMs = 5000) {}
  /** WeCom limits the markdown content, not the body. */
  measure(m: RenderedMessage): number {
    return Buffer.byteLength(this.content(m));
  }
  private content(m: RenderedMessage): string {
    // WeCom rings user ids written as <@userid> in markdown; mobiles cannot be rung from markdown.
    const rings = m.atUserIds.map((u) => `<@${u}>`).join(' ');
    return rings ? `${m.text}\n${rings}` : m.text;
  }
  async send(m: RenderedMessage): Promise<SendResult> {
    const out = await postJson(this.url, { msgtype: 'markdown', markdown: { content: this.content(m) } }, this.timeoutMs);
    if ('ok' in out) return out;
    if (out.status !== 200) return classifyHttp(out.status);
    const body = (out.json ?? {}) as { errcode?: unknown; errmsg?: unknown };
    if (body.errcode === 0) return { ok: true };
    if (body.errcode === 45009) return { ok: false, kind: 'rate-limited', code: '45009', reason: 'WeCom says the robot sends too fast (over 20 messages a minute)' };
    if (body.errcode === -1) return { ok: false, kind: 'retryable', code: '-1', reason: 'WeCom is busy' };
    return { ok: false, kind: 'permanent', code: String(body.errcode), reason: `WeCom refused the message: ${typeof body.errmsg === 'string' ? body.errmsg.slice(0, 200) : 'no errmsg'}` };
  }
}
