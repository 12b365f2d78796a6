import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LoopbackServer, listenLoopback, readBody, sendJson } from '../http';
import { safeEqual } from '../shared/safe-equal';

/** A robot the simulator hosts, with its security settings. */
export interface SimRobot {
  accessToken: string;
  /** Signing secret (加签); when set, `timestamp` and `sign` are required. */
  secret?: string;
  /** At least one must appear in the message. */
  keywords?: string[];
  disabled?: boolean;
  /** Content the robot refuses, as DingTalk's moderation does (430101-430104: unsafe link, text, image, content). */
  refuse?: Array<{ contains: string; errcode: number; errmsg?: string }>;
}

/** One scripted failure, consumed by the next request. */
export type RobotFault =
  | { kind: 'errcode'; errcode: number; errmsg?: string }
  | { kind: 'status'; status: number }
  | { kind: 'slow'; ms: number }
  /** Accepts the message, then answers only after `ms` (a client that gave up may still have been delivered). */
  | { kind: 'slow-reply'; ms: number }
  | { kind: 'down' };

/** A message the robot accepted. */
export interface AcceptedMessage {
  readonly atMs: number;
  readonly accessToken: string;
  readonly bytes: number;
  readonly body: {
    msgtype: string;
    markdown?: { title: string; text: string };
    text?: { content: string };
    at?: { atMobiles?: string[]; atUserIds?: string[]; isAtAll?: boolean };
  };
}

export interface DingTalkSimOptions {
  robots?: SimRobot[];
  /** The robot's clock, for the signature window and the rate limit (default Date.now). */
  now?: () => number;
  port?: number;
  /** Messages per minute before 130101 (DingTalk: 20). */
  perMinute?: number;
}

export interface DingTalkSim extends LoopbackServer {
  readonly robots: SimRobot[];
  readonly faults: RobotFault[];
  readonly accepted: AcceptedMessage[];
  /** Every answer by errcode (HTTP failures as `http-<status>`). */
  readonly answers: Record<string, number>;
  /** Every `sign` query value received, for leak checks. */
  readonly signs: string[];
  /** Awaited after a message is accepted and before the robot answers: tests kill the sender from here. */
  beforeReply: ((message: AcceptedMessage) => Promise<void>) | null;
  /** Awaited when a request arrives, before anything is checked; `drop` closes it unanswered and unaccepted. */
  onRequest: (() => Promise<'drop' | undefined>) | null;
  /** The webhook URL of a robot. */
  webhook(accessToken?: string): string;
  /** Set true to refuse connections, as a robot host that is down. */
  down: boolean;
}

export const DEFAULT_ROBOT: SimRobot = { accessToken: 'sim-robot-token-5f3a9c', secret: 'SECsimulated0123456789abcdefghijklmnopqrstuvwxyz', keywords: ['VOD'] };
export const MAX_BODY_BYTES = 20_000;
const WINDOW_MS = 3600_000;
const THROTTLE_MS = 10 * 60_000;
const MSG_TYPES = new Set(['text', 'markdown', 'link', 'actionCard', 'feedCard']);

/** Starts a DingTalk custom robot on 127.0.0.1 that checks what DingTalk checks. */
export async function startDingTalkSim(options: DingTalkSimOptions = {}): Promise<DingTalkSim> {
  const robots = (options.robots ?? [DEFAULT_ROBOT]).map((r) => ({ ...r }));
  const now = options.now ?? Date.now;
  const perMinute = options.perMinute ?? 20;
  const faults: RobotFault[] = [];
  const accepted: AcceptedMessage[] = [];
  const answers: Record<string, number> = {};
  const sends = new Map<string, number[]>();
  const throttledUntil = new Map<string, number>();

  const reply = (res: ServerResponse, errcode: number, errmsg: string) => {
    answers[String(errcode)] = (answers[String(errcode)] ?? 0) + 1;
    sendJson(res, 200, { errcode, errmsg });
  };

  async function handle(req: IncomingMessage, res: ServerResponse, sim: DingTalkSim): Promise<void> {
    if (sim.down || (sim.onRequest && (await sim.onRequest()) === 'drop')) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const fault = faults.shift();
    if (fault?.kind === 'down') {
      answers.reset = (answers.reset ?? 0) + 1;
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.ms));
    if (res.destroyed) return;
    if (fault?.kind === 'status') {
      answers[`http-${fault.status}`] = (answers[`http-${fault.status}`] ?? 0) + 1;
      res.writeHead(fault.status, { 'content-type': 'text/html' });
      res.end(`<html><body>${fault.status}</body></html>`);
      return;
    }
    if (req.method !== 'POST' || url.pathname !== '/robot/send') return reply(res, 404, 'not found');
    const token = url.searchParams.get('access_token') ?? '';
    const robot = robots.find((r) => r.accessToken === token);
    if (!robot) return reply(res, 300001, 'token is not exist');
    if (robot.disabled) return reply(res, 400102, 'robot disabled');
    let raw: Buffer;
    try {
      raw = await readBody(req, 1 << 20);
    } catch {
      return reply(res, 460101, 'message too long, exceed 20000 bytes');
    }
    if (fault?.kind === 'errcode') return reply(res, fault.errcode, fault.errmsg ?? 'injected');
    const sentSign = url.searchParams.get('sign');
    if (sentSign) sim.signs.push(sentSign);
    if (robot.secret) {
      const ts = url.searchParams.get('timestamp');
      const sign = sentSign;
      if (!ts || !sign) return reply(res, 310000, 'sign not match, more: [missing timestamp or sign]');
      if (!/^\d{13}$/.test(ts) || Math.abs(now() - Number(ts)) > WINDOW_MS) return reply(res, 310000, 'invalid timestamp');
      const expected = createHmac('sha256', robot.secret).update(`${ts}\n${robot.secret}`).digest('base64');
      // searchParams has already decoded the sign once, as DingTalk does: a twice-encoded sign fails here.
      if (!safeEqual(expected, sign)) return reply(res, 310000, 'sign not match');
    }
    if (raw.length > MAX_BODY_BYTES) return reply(res, 460101, 'message too long, exceed 20000 bytes');
    let body: AcceptedMessage['body'];
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return reply(res, 40035, 'invalid json');
    }
    if (!body || typeof body !== 'object' || !MSG_TYPES.has(body.msgtype)) return reply(res, 40035, 'param error: msgtype');
    if (
      body.msgtype === 'markdown' &&
      (typeof body.markdown?.title !== 'string' || !body.markdown.title || typeof body.markdown.text !== 'string' || !body.markdown.text)
    ) {
      return reply(res, 40035, 'param error: markdown.title and markdown.text are required');
    }
    if (body.msgtype === 'text' && typeof body.text?.content !== 'string') return reply(res, 40035, 'param error: text.content');
    const content = JSON.stringify(body.markdown ?? body.text ?? body);
    if (robot.keywords?.length && !robot.keywords.some((k) => content.includes(k))) return reply(res, 310000, 'keywords not in content');
    const refused = robot.refuse?.find((r) => content.includes(r.contains));
    if (refused) return reply(res, refused.errcode, refused.errmsg ?? '含有不合适的文本');
    const t = now();
    const until = throttledUntil.get(token) ?? 0;
    if (t < until) return reply(res, 130101, 'send too fast, exceed 20 times per minute');
    const recent = (sends.get(token) ?? []).filter((s) => t - s < 60_000);
    if (recent.length >= perMinute) {
      throttledUntil.set(token, t + THROTTLE_MS);
      return reply(res, 130101, 'send too fast, exceed 20 times per minute');
    }
    recent.push(t);
    sends.set(token, recent);
    const message = { atMs: t, accessToken: token, bytes: raw.length, body };
    accepted.push(message);
    if (sim.beforeReply) await sim.beforeReply(message);
    if (fault?.kind === 'slow-reply') await new Promise((r) => setTimeout(r, fault.ms));
    if (res.destroyed) return;
    return reply(res, 0, 'ok');
  }

  let sim: DingTalkSim;
  const { loopback } = await listenLoopback((req, res) => {
    handle(req, res, sim).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { errcode: -1, errmsg: 'simulator failure' });
    });
  }, options.port);
  sim = {
    ...loopback,
    robots,
    faults,
    accepted,
    answers,
    down: false,
    signs: [],
    beforeReply: null,
    onRequest: null,
    webhook: (accessToken = robots[0]!.accessToken) => `${loopback.url}/robot/send?access_token=${accessToken}`,
  };
  return sim;
}
