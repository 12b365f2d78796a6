import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
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

/**
 * POSTs JSON with a timeout over the whole exchange; classifies transport failures. Never includes the URL in what
 * it returns. Only a request that was written out can have arrived: a timeout or an error before that (DNS, the
 * connection, a TLS handshake that never ends) is "could not reach the robot", tried again; a timeout after it is
 * "the message may have arrived", not sent again this run.
 */
export function postJson(url: string, body: unknown, timeoutMs: number): Promise<{ status: number; json: unknown } | SendResult> {
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  const target = new URL(url);
  const ms = Math.max(1, timeoutMs);
  return new Promise((resolve) => {
    let written = false;
    let answered = false;
    let settled = false;
    const done = (r: { status: number; json: unknown } | SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    // A broken connection is tried again, as it always was (a repeat beats a loss); only silence after the request
    // went out may mean it arrived.
    const failed = (code: string) => done(answered || (code === 'timeout' && written) ? mayHaveArrived(ms, answered) : unreachable(code, ms));
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, { method: 'POST', headers: { 'content-type': 'application/json;charset=utf-8', 'content-length': payload.length } }, (res) => {
      // An answer began: the robot took the request, so a break from here on may have followed a delivery.
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_ANSWER_BYTES) chunks.push(c);
        else {
          // No robot answers this much: what came is classified by its status, and the rest is not read.
          done({ status: res.statusCode ?? 0, json: null });
          req.destroy();
        }
      });
      res.on('end', () => done({ status: res.statusCode ?? 0, json: parseOrNull(Buffer.concat(chunks).toString('utf8')) }));
      res.on('error', () => failed('ECONNRESET'));
      res.on('aborted', () => failed('ECONNRESET'));
    });
    req.on('finish', () => {
      written = true;
    });
    req.on('error', (err: NodeJS.ErrnoException) => failed(err.code ?? 'network'));
    const timer = setTimeout(() => {
      failed('timeout');
      req.destroy();
    }, ms);
    req.end(payload);
  });
}

/** A robot's answer is a few hundred bytes; past this the rest is not read. */
const MAX_ANSWER_BYTES = 64 * 1024;

function mayHaveArrived(ms: number, answered: boolean): SendResult {
  const why = answered ? 'the answer broke off before its end' : `no answer within ${ms} ms`;
  return { ok: false, kind: 'timeout', code: 'timeout', reason: `${why} (the message may have arrived)` };
}

function unreachable(code: string, ms: number): SendResult {
  const why = code === 'timeout' ? `not reached within ${ms} ms: nothing was sent` : code;
  return { ok: false, kind: 'retryable', code: code === 'timeout' ? 'unreachable' : code, reason: `could not reach the robot (${why})` };
}

function parseOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
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
