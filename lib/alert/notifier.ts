import type { RenderedMessage } from './render';

/** What a robot said about one message. */
export type SendResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      /** rate-limited: stop sending to this robot this run; retryable: back off and try again; permanent: stop and fix config. */
      readonly kind: 'rate-limited' | 'retryable' | 'permanent';
      readonly code: string;
      /** A plain-words cause, safe to log (no URL, token or secret). */
      readonly reason: string;
    };

/** An on-call channel: sends one rendered message. */
export interface Notifier {
  readonly channel: string;
  /** Largest request body the channel accepts, in bytes. */
  readonly maxBodyBytes: number;
  /** The size of the request body this notifier would send for a message. */
  measure(message: RenderedMessage): number;
  send(message: RenderedMessage): Promise<SendResult>;
}

/** POSTs JSON with a timeout; classifies transport failures. Never includes the URL in what it returns. */
export async function postJson(url: string, body: unknown, timeoutMs: number): Promise<{ status: number; json: unknown } | SendResult> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=utf-8' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return { ok: false, kind: 'retryable', code: 'timeout', reason: `no answer within ${timeoutMs} ms` };
    return { ok: false, kind: 'retryable', code: e.cause?.code ?? 'network', reason: `could not reach the robot (${e.cause?.code ?? 'network error'})` };
  }
  const text = await res.text().catch(() => '');
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = null;
  }
  return { status: res.status, json };
}
