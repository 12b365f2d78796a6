import type { AlertEvent } from '../../lib/events/schema';
import { type DeliveryDeps, deliver } from '../../lib/notify/deliver';
import { DingTalkNotifier } from '../../lib/notify/dingtalk';
import type { Notifier } from '../../lib/notify/notifier';
import type { RenderOptions } from '../../lib/notify/render';
import { JsonWebhookNotifier } from '../../lib/notify/webhook';
import { WeComNotifier } from '../../lib/notify/wecom';
import type { OutboxEntry } from '../../lib/state/schema';
import { DEFAULT_ROBOT, type DingTalkSim, startDingTalkSim } from '../../sim/dingtalk/server';
import { startChatSim } from '../../sim/wecom/server';
import { logSink } from '../helpers/sink';

const opts: RenderOptions = {
  monitorName: 'VOD refresh',
  keywords: ['VOD'],
  mentions: { atMobiles: [], atUserIds: [], atAllMinFailures: 0 },
  maxBodyBytes: 20_000,
  stuckAfterMinutes: 30,
};
const failed = (id: number, path = `http://v.example.com/${id}.mp4`): AlertEvent => ({
  kind: 'failed',
  key: `failed:${id}`,
  task: {
    taskId: String(id),
    objectPath: path,
    objectType: 'file',
    status: 'Failed',
    description: 'Origin Timeout',
    creationTime: '2026-11-28T04:00:00Z',
    domain: 'v.example.com',
  },
});
const entries = (events: AlertEvent[]): OutboxEntry[] => events.map((event) => ({ event, queuedAtMs: 0, uncertain: 0, refusals: 0 }));

function deps(notifier: Notifier, max = 20) {
  const sink = logSink();
  const d: DeliveryDeps = {
    notifier,
    logger: sink.logger,
    now: Date.now,
    sleep: async () => undefined,
    random: () => 0,
    deadlineMs: Date.now() + 20_000,
    retryPolicy: { baseMs: 1, capMs: 1, maxAttempts: 4 },
    maxPerMinute: max,
    sendTimeoutMs: 2000,
    renderOptions: { ...opts, maxBodyBytes: notifier.maxBodyBytes },
  };
  return { sink, d };
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
    const r = await deliver(entries([failed(1)]), [], deps(notifier()).d);
    expect(r).toMatchObject({ sent: 1, stoppedBy: null });
    expect(r.delivered).toEqual(new Set(['failed:1']));
    expect(ding.accepted[0]!.body.msgtype).toBe('markdown');
  });

  it.each([
    ['a wrong secret', { secret: 'SECwrongwrongwrongwrong' }, /DINGTALK_SECRET/],
    ['a clock two hours off', { now: () => Date.now() - 2 * 3600_000 }, /clock/],
  ])('refuses %s with 310000 and a plain cause, without retrying', async (_n, over, cause) => {
    const { d, sink } = deps(notifier(over));
    const r = await deliver(entries([failed(1)]), [], d);
    expect(r.stoppedBy).toMatchObject({ code: '310000', reason: expect.stringMatching(cause) });
    expect(ding.answers['310000']).toBe(1);
    expect(sink.records().find((x) => x.event === 'alert-failed')!.msg).toMatch(cause);
    expect(sink.text()).not.toContain(DEFAULT_ROBOT.secret);
    expect(sink.text()).not.toContain(DEFAULT_ROBOT.accessToken);
  });

  it('says when the keyword is missing', async () => {
    const { d } = deps(notifier());
    const r = await deliver(entries([failed(1)]), [], {
      ...d,
      renderOptions: { ...d.renderOptions, monitorName: 'Refresh watch', keywords: [], failureHint: 'Next.' },
    });
    expect(r.stoppedBy?.reason).toMatch(/DINGTALK_KEYWORDS/);
  });

  it('keeps a keyword with an underscore verbatim in the title and the text', async () => {
    ding.robots[0]!.keywords = ['VOD_ALERT'];
    const { d } = deps(notifier());
    const r = await deliver(entries([failed(1)]), [], { ...d, renderOptions: { ...d.renderOptions, keywords: ['VOD_ALERT'] } });
    expect(r.sent).toBe(1);
    expect(ding.accepted[0]!.body.markdown!.title).toContain('VOD_ALERT');
  });

  it('retries -1 and 5xx, then delivers', async () => {
    ding.faults.push({ kind: 'errcode', errcode: -1 }, { kind: 'status', status: 502 });
    const r = await deliver(entries([failed(1)]), [], deps(notifier()).d);
    expect(r.sent).toBe(1);
    expect(ding.accepted).toHaveLength(1);
  });

  it('isolates the alert the robot refuses for its content (430102) and delivers the others', async () => {
    ding.robots[0]!.refuse = [{ contains: 'forbidden-word', errcode: 430102 }];
    const events = [failed(1), failed(2, 'http://v.example.com/forbidden-word.mp4'), failed(3), failed(4)];
    const r = await deliver(entries(events), [], deps(notifier()).d);
    expect([...r.delivered].sort()).toEqual(events.map((e) => e.key).sort());
    expect([...r.shortened]).toEqual(['failed:2']);
    expect(ding.accepted.map((m) => m.body.markdown!.text).join('\n')).not.toContain('forbidden-word');
  });

  it('stops at 130101 and leaves the rest', async () => {
    const strict = await startDingTalkSim({ perMinute: 1 });
    try {
      const n = new DingTalkNotifier({ webhook: strict.webhook(), secret: DEFAULT_ROBOT.secret, now: Date.now });
      const { d } = deps(n);
      const big: AlertEvent[] = Array.from({ length: 400 }, (_, i) => {
        const e = failed(i) as Extract<AlertEvent, { kind: 'failed' }>;
        return { ...e, task: { ...e.task, domain: `host-${i}.example.com` } };
      });
      const r = await deliver(entries(big), [], { ...d, renderOptions: { ...d.renderOptions, maxBodyBytes: 3000 } });
      expect(strict.answers['130101']).toBe(1);
      expect(r.stoppedBy?.code).toBe('130101');
      expect(r.delivered.size).toBeLessThan(400);
    } finally {
      await strict.close();
    }
  });

  it('does not send a slow answer again in the same run', async () => {
    ding.faults.push({ kind: 'slow-reply', ms: 800 }, { kind: 'slow-reply', ms: 800 });
    const { d } = deps(notifier());
    const r = await deliver(entries([failed(1)]), [], { ...d, sendTimeoutMs: 300 });
    expect(r.uncertain).toEqual(new Set(['failed:1']));
    expect(r.stoppedBy?.code).toBe('timeout');
    expect(ding.accepted).toHaveLength(1);
  });
});

describe('the second channels', () => {
  it('WeCom: markdown within 4,096 bytes; a bad key is a configuration error', async () => {
    const chat = await startChatSim();
    try {
      const n = new WeComNotifier(chat.wecomUrl());
      const r = await deliver(entries(Array.from({ length: 200 }, (_, i) => failed(i))), [], deps(n).d);
      expect(r.sent).toBe(1);
      expect(Buffer.byteLength(chat.wecom[0]!.markdown!.content)).toBeLessThanOrEqual(4096);
      expect(chat.wecom[0]!.markdown!.content).toContain('200 failed');
      const bad = new WeComNotifier(chat.wecomUrl('nope'));
      const [m] = (await import('../../lib/notify/render')).renderMessages([failed(1)], opts, (x) => bad.measure(x));
      expect(await bad.send(m!, 2000)).toMatchObject({ ok: false, kind: 'config', code: '93000' });
    } finally {
      await chat.close();
    }
  });

  it('JSON webhook: 2xx delivers, 503 is retried, 429 is rate limiting', async () => {
    const chat = await startChatSim();
    try {
      chat.webhookStatuses.push(503, 200);
      const r = await deliver(entries([failed(1)]), [], deps(new JsonWebhookNotifier(chat.webhookUrl())).d);
      expect(r.sent).toBe(1);
      expect(chat.webhook[0]).toMatchObject({ source: 'vod-refresh-monitor', alertKeys: ['failed:1'] });
      chat.webhookStatuses.push(429);
      const r2 = await deliver(entries([failed(2)]), [], deps(new JsonWebhookNotifier(chat.webhookUrl())).d);
      expect(r2.stoppedBy?.code).toBe('http-429');
    } finally {
      await chat.close();
    }
  });
});
