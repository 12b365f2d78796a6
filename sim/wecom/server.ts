import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LoopbackServer, listenLoopback, readBody, sendJson } from '../http';

/** A WeCom group robot (`/cgi-bin/webhook/send?key=`) and a plain JSON webhook receiver, on loopback. */
export interface ChatSim extends LoopbackServer {
  /** WeCom messages accepted, as sent. */
  readonly wecom: Array<{ msgtype: string; markdown?: { content: string } }>;
  /** JSON webhook bodies accepted. */
  readonly webhook: unknown[];
  /** Scripted HTTP statuses for the JSON webhook, consumed in order. */
  readonly webhookStatuses: number[];
  wecomUrl(key?: string): string;
  webhookUrl(): string;
}

export const WECOM_KEY = 'sim-wecom-key-3b7e';
const WECOM_MAX = 4096;

/** Starts both receivers; WeCom checks the key, msgtype, the 4,096-byte markdown limit and 20 messages a minute. */
export async function startChatSim(options: { now?: () => number } = {}): Promise<ChatSim> {
  const now = options.now ?? Date.now;
  const wecom: ChatSim['wecom'] = [];
  const webhook: unknown[] = [];
  const webhookStatuses: number[] = [];
  const sends: number[] = [];
  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = (await readBody(req)).toString('utf8');
    if (url.pathname === '/hook') {
      const status = webhookStatuses.shift() ?? 204;
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return sendJson(res, 400, { error: 'invalid json' });
      }
      if (status < 300) webhook.push(body);
      res.writeHead(status);
      return res.end();
    }
    if (url.pathname !== '/cgi-bin/webhook/send') return sendJson(res, 404, {});
    if (url.searchParams.get('key') !== WECOM_KEY) return sendJson(res, 200, { errcode: 93000, errmsg: 'invalid webhook url' });
    let body: ChatSim['wecom'][number];
    try {
      body = JSON.parse(raw);
    } catch {
      return sendJson(res, 200, { errcode: 40003, errmsg: 'invalid json' });
    }
    if (body.msgtype !== 'markdown' || typeof body.markdown?.content !== 'string')
      return sendJson(res, 200, { errcode: 40008, errmsg: 'invalid message type' });
    if (Buffer.byteLength(body.markdown.content) > WECOM_MAX) return sendJson(res, 200, { errcode: 40058, errmsg: 'markdown.content exceed max length 4096' });
    const t = now();
    while (sends.length && t - sends[0]! >= 60_000) sends.shift();
    if (sends.length >= 20) return sendJson(res, 200, { errcode: 45009, errmsg: 'api freq out of limit' });
    sends.push(t);
    wecom.push(body);
    return sendJson(res, 200, { errcode: 0, errmsg: 'ok' });
  }
  const { loopback } = await listenLoopback((req, res) => {
    handle(req, res).catch(() => sendJson(res, 500, {}));
  });
  return {
    ...loopback,
    wecom,
    webhook,
    webhookStatuses,
    wecomUrl: (key = WECOM_KEY) => `${loopback.url}/cgi-bin/webhook/send?key=${key}`,
    webhookUrl: () => `${loopback.url}/hook`,
  };
}
