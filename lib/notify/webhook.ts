import { classifyHttp, type Notifier, postJson, type SendResult } from './notifier';
import type { RenderedMessage } from './render';

/** The body a plain JSON webhook receives. */
export function webhookBody(m: RenderedMessage): Record<string, unknown> {
  return { source: 'vod-refresh-monitor', title: m.title, markdown: m.text, alertKeys: m.keys, unlisted: m.unlisted };
}

/** A plain JSON webhook (any 2xx is delivery), for paging systems and chat bridges. */
export class JsonWebhookNotifier implements Notifier {
  readonly channel = 'webhook';
  readonly maxBodyBytes = 256_000;
  constructor(private readonly url: string) {}

  measure(m: RenderedMessage): number {
    return Buffer.byteLength(JSON.stringify(webhookBody(m)));
  }

  async send(m: RenderedMessage, timeoutMs: number): Promise<SendResult> {
    const out = await postJson(this.url, webhookBody(m), timeoutMs);
    return 'ok' in out ? out : classifyHttp(out.status);
  }
}
