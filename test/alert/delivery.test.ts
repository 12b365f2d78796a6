import { deliver } from '../../lib/alert/deliver';
import { DingTalkNotifier } from '../../lib/alert/dingtalk';
import type { AlertEvent } from '../../lib/alert/model';
import { renderMessages, type RenderOptions } from '../../lib/alert/render';
import { JsonWebhookNotifier, WeComNotifier } from '../../lib/alert/webhook';
import { DEFAULT_ROBOT, startDingTalkSim, type DingTalkSim } from '../../sim/dingtalk/server';
import { startChatSim } from '../../sim/wecom/server';
import { logSink } from '../helpers/sink';
import { startWorld } from '../helpers/world';

const MIN = 60_000;
const opts: RenderOptions = { monitorName: 'VOD refresh', keywords: ['VOD'], mentions: { atMobiles: [], atUserIds: [], atAllMinFailures: 0 }, maxBodyBytes: 20_000, hint: 'Next.', stuckAfterMinutes: 30 };
const failed = (id: number): AlertEvent => ({ kind: 'failed', key: `failed:${id}`, task: { taskId: String(id), objectPath: `http://v.example.com/${id}.mp4`, objectType: 'file', status: 'Failed', description: 'Origin Timeout', creationTime: '2026-11-28T04:00:00Z', domain: 'v.example.com' } });

function deps(notifier: DingTalkNotifier | WeComNotifier | JsonWebhookNotifier, max = 20) {
  const sink = logSink();
  return { sink, deps: { notifier, logger: sink.logger, now: Date.now, sleep: async () => undefined, random: () => 0, deadlineMs: Date.now() + 10_000, retryPolicy: { baseMs: 1, capMs: 1, maxAttempts: 4 }, maxPerMinute: max } };
}

describe('DingTalk notifier against the local robot', () => {
  let ding: DingTalkSim;
  beforeEach(async () => {
    ding = await startDingTalkSim();
  });
  afterEach(async () => ding.close());

  const notifier = (over: Partial<{ secret: string; now: () => number; token: string }> = {}) =>
    new DingTalkNotifier({ webhook: ding.webhook(over.token), secret: over.secret ?? DEFAULT_ROBOT.secret, now: over.now ?? Date.now });

  it('delivers a signed markdown message that the robot verifies', async () => {
    const { deps: d } = deps(notifier());
    const r = await deliver(renderMessages([failed(1)], opts), [], d);
    expect(r).toMatchObject({ sent: 1, stoppedBy: null });
    expect(r.delivered).toEqual(new Set(['failed:1']));
    expect(ding.accepted[0]!.body.msgtype).toBe('markdown');
  });

  it.each([
    ['a wrong secret', { secret: 'SECwrongwrongwrongwrong' }, /DINGTALK_SECRET/],
    ['a clock two hours off', { now: () => Date.now() - 2 * 3600_000 }, /clock/],
  ])('refuses %s with 310000 and a plain cause, without retrying', async (_n, over, cause) => {
    const { deps: d, sink } = deps(notifier(over));
    const r = await deliver(renderMessages([failed(1)], opts), [], d);
    expect(r.stoppedBy).toMatchObject({ code: '310000', reason: expect.stringMatching(cause) });
    expect(r.delivered.size).toBe(0);
    expect(ding.answers['310000']).toBe(1);
    const line = sink.records().find((x) => x.event === 'alert-failed')!;
    expect(line.msg).toMatch(cause);
    expect(sink.text()).not.toContain(DEFAULT_ROBOT.secret);
    expect(sink.text()).not.toContain(DEFAULT_ROBOT.accessToken);
  });

  it('says when the keyword is missing', async () => {
    const { deps: d } = deps(notifier());
    const r = await deliver(renderMessages([failed(1)], { ...opts, monitorName: 'Refresh watch', keywords: [] }), [], d);
    expect(r.stoppedBy?.reason).toMatch(/DINGTALK_KEYWORDS/);
  });

  it('retries -1, 5xx and a timeout, then delivers', async () => {
    ding.faults.push({ kind: 'errcode', errcode: -1 }, { kind: 'status', status: 502 }, { kind: 'down' });
    const { deps: d } = deps(notifier());
    const r = await deliver(renderMessages([failed(1)], opts), [], d);
    expect(r.sent).toBe(1);
    expect(ding.accepted).toHaveLength(1);
  });

  it('stops at the first 130101 and leaves the rest', async () => {
    const strict = await startDingTalkSim({ perMinute: 1 });
    const { deps: d } = deps(new DingTalkNotifier({ webhook: strict.webhook(), secret: DEFAULT_ROBOT.secret, now: Date.now }));
    const msgs = [failed(1), failed(2), failed(3)].flatMap((e) => renderMessages([e], opts));
    const r = await deliver(msgs, [], d);
    await strict.close();
    expect(strict.answers).toEqual({ '0': 1, '130101': 1 });
    expect(r.sent).toBe(1);
    expect(r.stoppedBy?.code).toBe('130101');
    expect(r.delivered).toEqual(new Set(['failed:1']));
  });

  it('never sends more than the client-side limit in a minute', async () => {
    const { deps: d } = deps(notifier(), 20);
    const msgs = Array.from({ length: 25 }, (_, i) => renderMessages([failed(i)], opts)[0]!);
    const r = await deliver(msgs, [], d);
    expect(r.sent).toBe(20);
    expect(r.stoppedBy?.code).toBe('client-rate-limit');
    expect(ding.answers['130101']).toBeUndefined();
    expect(ding.accepted).toHaveLength(20);
  });

  it('is refused by the robot past 20,000 bytes (460101)', async () => {
    const { deps: d } = deps(notifier());
    const big = { title: 'VOD', text: `VOD ${'x'.repeat(21_000)}`, atMobiles: [], atUserIds: [], isAtAll: false, keys: ['k'], unlisted: 0 };
    const r = await deliver([big], [], d);
    expect(r.stoppedBy?.code).toBe('460101');
  });
});

describe('the second channels', () => {
  it('WeCom: markdown within 4,096 bytes, rate limit answered 45009', async () => {
    const chat = await startChatSim();
    try {
      const n = new WeComNotifier(chat.wecomUrl());
      const events = Array.from({ length: 200 }, (_, i) => failed(i));
      const msgs = renderMessages(events, { ...opts, maxBodyBytes: n.maxBodyBytes }, (m) => n.measure(m));
      expect(msgs).toHaveLength(1);
      const { deps: d } = deps(n);
      expect((await deliver(msgs, [], d)).sent).toBe(1);
      expect(Buffer.byteLength(chat.wecom[0]!.markdown!.content)).toBeLessThanOrEqual(4096);
      expect(chat.wecom[0]!.markdown!.content).toContain('200 failed');
      const bad = new WeComNotifier(chat.wecomUrl('nope'));
      expect(await bad.send(msgs[0]!)).toMatchObject({ ok: false, kind: 'permanent', code: '93000' });
    } finally {
      await chat.close();
    }
  });

  it('JSON webhook: 2xx delivers, 429 is rate limiting, 503 is retried', async () => {
    const chat = await startChatSim();
    try {
      const n = new JsonWebhookNotifier(chat.webhookUrl());
      chat.webhookStatuses.push(503, 200, 429);
      const { deps: d } = deps(n);
      const r = await deliver([...renderMessages([failed(1)], opts), ...renderMessages([failed(2)], opts)], [], d);
      expect(r.sent).toBe(1);
      expect(r.stoppedBy?.code).toBe('http-429');
      expect(chat.webhook[0]).toMatchObject({ source: 'vod-refresh-monitor', alertKeys: ['failed:1'] });
    } finally {
      await chat.close();
    }
  });
});

describe('across runs, through the built handler', () => {
  it('500 new failures: messages within 20,000 bytes, under 20 a minute, exact counts', async () => {
    const world = await startWorld();
    try {
      await world.run();
      world.clock.advance(5 * MIN);
      const now = world.clock.now();
      for (let i = 0; i < 500; i++) world.vod.store.add({ ObjectPath: `http://video.example.com/burst/${i}.mp4`, creationMs: now - 60_000 + i, Status: 'Failed', Description: ['Origin Timeout', 'Internal Error'][i % 2]! });
      const r = await world.run();
      expect(r).toMatchObject({ failures: { new: 500 }, alerts: { pending: 0 } });
      expect(world.ding.accepted.length).toBeLessThanOrEqual(20);
      for (const m of world.ding.accepted) expect(m.bytes).toBeLessThanOrEqual(20_000);
      const text = world.ding.accepted.map((m) => m.body.markdown!.text).join('\n');
      expect(text).toContain('Origin Timeout: 250 failed');
      expect(text).toContain('Internal Error: 250 failed');
    } finally {
      await world.close();
    }
  });

  it('a run rate-limited by DingTalk loses nothing: the next run delivers all of it, once', async () => {
    const world = await startWorld();
    try {
      await world.run();
      world.clock.advance(5 * MIN);
      const ids = [1, 2, 3].map((i) => world.vod.store.add({ ObjectPath: `http://video.example.com/${i}.mp4`, creationMs: world.clock.now() - 30_000, Status: 'Failed' }).TaskId);
      world.ding.faults.push({ kind: 'errcode', errcode: 130101, errmsg: 'send too fast' });
      const r1 = await world.run();
      expect(r1).toMatchObject({ status: 'degraded', alerts: { messagesSent: 0, pending: 3, error: { code: '130101' } } });
      world.clock.advance(5 * MIN);
      const late = world.vod.store.add({ ObjectPath: 'http://video.example.com/4.mp4', creationMs: world.clock.now() - 30_000, Status: 'Failed' }).TaskId;
      const r2 = await world.run();
      expect(r2).toMatchObject({ status: 'ok', alerts: { messagesSent: 1, pending: 0 } });
      world.clock.advance(5 * MIN);
      await world.run();
      expect(world.ding.accepted).toHaveLength(1);
      expect(world.listedTaskIds().sort()).toEqual([...ids, late].sort());
    } finally {
      await world.close();
    }
  });
});
