import { classifyHttp, type Notifier, postJson, type SendResult } from './notifier';
import type { RenderedMessage } from './render';

/** WeCom's markdown content limit, in bytes. */
export const WECOM_MAX_CONTENT_BYTES = 4096;

/** A WeCom (企业微信) group robot: markdown, no signing, 20 messages a minute. */
export class WeComNotifier implements Notifier {
  readonly channel = 'wecom';
  readonly maxBodyBytes = WECOM_MAX_CONTENT_BYTES;
  constructor(private readonly url: string) {}

  /** WeCom limits the markdown content, not the body. */
  measure(m: RenderedMessage): number {
    return Buffer.byteLength(this.content(m));
  }

  private content(m: RenderedMessage): string {
    // WeCom rings user ids written as <@userid> in markdown; mobiles cannot be rung from markdown.
    const rings = m.atUserIds.map((u) => `<@${u}>`).join(' ');
    return rings ? `${m.text}\n${rings}` : m.text;
  }

  async send(m: RenderedMessage, timeoutMs: number): Promise<SendResult> {
    const out = await postJson(this.url, { msgtype: 'markdown', markdown: { content: this.content(m) } }, timeoutMs);
    if ('ok' in out) return out;
    if (out.status !== 200) return classifyHttp(out.status, 'WeCom');
    const body = (out.json ?? {}) as { errcode?: unknown; errmsg?: unknown };
    if (body.errcode === 0) return { ok: true };
    if (body.errcode === 45009)
      return { ok: false, kind: 'rate-limited', code: '45009', reason: 'WeCom says the robot sends too fast (over 20 messages a minute)' };
    if (body.errcode === -1) return { ok: false, kind: 'retryable', code: '-1', reason: 'WeCom is busy' };
    if (body.errcode === 93000)
      return { ok: false, kind: 'config', code: '93000', reason: 'the WeCom webhook key is not valid: copy the robot webhook again into WECOM_WEBHOOK' };
    return {
      ok: false,
      kind: 'content',
      code: String(body.errcode),
      reason: `WeCom refused the message: ${typeof body.errmsg === 'string' ? body.errmsg.slice(0, 200) : 'no errmsg'}`,
    };
  }
}
