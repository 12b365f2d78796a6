import type { RenderedMessage } from './render';

/** What a robot said about one message. */
export type SendResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /**
       * rate-limited: stop sending to this robot this run. retryable: back off and try again. timeout: no answer in
       * time — it may have arrived, so it is not sent again this run. config: the robot refuses everything until
       * its settings are fixed. content: the robot refused this message's text; a smaller message may pass.
       */
      readonly kind: 'rate-limited' | 'retryable' | 'timeout' | 'config' | 'content';
      readonly code: string;
      /** A plain-words cause, safe to log (no URL, token or secret). */
      readonly reason: string;
    };

/** An on-call channel: sends one rendered message. */
export interface Notifier {
  readonly channel: string;
  /** Largest request body the channel accepts, in bytes (as `measure` counts). */
  readonly maxBodyBytes: number;
  /** The size this notifier counts for a message. */
  measure(message: RenderedMessage): number;
  /** Sends one message; gives up after `timeoutMs`. */
  send(message: RenderedMessage, timeoutMs: number): Promise<SendResult>;
}

/** POSTs JSON with a timeout; classifies transport failures. Never includes the URL in what it returns. */
export async function postJson(url: string, body: unknown, timeoutMs: number): Promise<{ status: number; json: unknown } | SendResult> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=utf-8' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(Math.max(1, timeoutMs)),
    });
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      return { ok: false, kind: 'timeout', code: 'timeout', reason: `no answer within ${timeoutMs} ms (the message may have arrived)` };
    return { ok: false, kind: 'retryable', code: e.cause?.code ?? 'network', reason: `could not reach the robot (${e.cause?.code ?? 'network error'})` };
  }
  let text = '';
  try {
    text = await res.text();
  } catch {
    return { ok: false, kind: 'timeout', code: 'timeout', reason: `the answer did not arrive within ${timeoutMs} ms (the message may have arrived)` };
  }
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json };
}

/** A plain HTTP status as a SendResult (webhooks without their own error codes). */
export function classifyHttp(status: number, what = 'the webhook'): SendResult {
  if (status >= 200 && status < 300) return { ok: true };
  if (status === 429) return { ok: false, kind: 'rate-limited', code: 'http-429', reason: `${what} answered 429 Too Many Requests` };
  if (status >= 500 || status === 408) return { ok: false, kind: 'retryable', code: `http-${status}`, reason: `${what} answered HTTP ${status}` };
  if (status === 413 || status === 400 || status === 422)
    return { ok: false, kind: 'content', code: `http-${status}`, reason: `${what} refused the message with HTTP ${status}` };
  return { ok: false, kind: 'config', code: `http-${status}`, reason: `${what} refused the alert with HTTP ${status}` };
}
