import fc from 'fast-check';
import type { AlertEvent, TaskFacts } from '../../lib/events/schema';
import { compose, textOf } from '../../lib/notify/compose';
import { bodyBytes } from '../../lib/notify/dingtalk';
import { type RenderedMessage, type RenderOptions, renderMessages } from '../../lib/notify/render';
import { webhookBody } from '../../lib/notify/webhook';
import { WECOM_MAX_CONTENT_BYTES, WeComNotifier } from '../../lib/notify/wecom';

const opts: RenderOptions = {
  monitorName: 'VOD refresh',
  keywords: ['VOD'],
  mentions: { atMobiles: ['13800000000'], atUserIds: [], atAllMinFailures: 0 },
  maxBodyBytes: 20_000,
  stuckAfterMinutes: 30,
};
const DESCRIPTIONS = ['Origin Timeout', 'Internal Error', 'Origin Return StatusCode 5XX'];

const facts = (i: number, domains = 20, perTask = 100): TaskFacts => ({
  taskId: String(700000000 + Math.floor(i / perTask)),
  objectPath: `http://d${i % domains}.example.com/series/s${i % 7}/episode-${i}/index.m3u8`,
  objectType: i % 5 === 0 ? 'preload' : 'file',
  status: 'Failed',
  description: DESCRIPTIONS[i % 3]!,
  creationTime: '2026-11-28T04:00:00Z',
  domain: `d${i % domains}.example.com`,
});
const failures = (n: number, domains?: number, perTask?: number): AlertEvent[] =>
  Array.from({ length: n }, (_, i) => ({ kind: 'failed', key: `failed:${i}`, task: facts(i, domains, perTask) }));

const wecom = new WeComNotifier('http://127.0.0.1:1/cgi-bin/webhook/send?key=k');
const MEASURES: Array<[string, (m: RenderedMessage) => number, number]> = [
  ['DingTalk', bodyBytes, 20_000],
  ['WeCom', (m) => wecom.measure(m), WECOM_MAX_CONTENT_BYTES],
  ['webhook', (m) => Buffer.byteLength(JSON.stringify(webhookBody(m))), 6000],
];

describe('fitting a message to its size', () => {
  it('composes once and measures twice, however many failures one message carries', () => {
    for (const n of [500, 10_000]) {
      let calls = 0;
      const messages = renderMessages(failures(n), opts, (m) => {
        calls++;
        return bodyBytes(m);
      });
      expect(messages).toHaveLength(1);
      expect(calls).toBe(2);
    }
  });

  it.each(MEASURES)('keeps %s messages within their limit, with exact counts of what is not listed', (_name, measure, max) => {
    const events = failures(3000, 6, 400);
    const messages = renderMessages(events, { ...opts, maxBodyBytes: max }, measure);
    expect(messages.flatMap((m) => m.keys).sort()).toEqual(events.map((e) => e.key).sort());
    for (const m of messages) {
      expect(measure(m)).toBeLessThanOrEqual(max);
      const listed = m.text.split('\n').filter((l) => l.startsWith('  http://')).length;
      expect(listed + m.unlisted).toBe(m.keys.length);
      const moreOfTasks = [...m.text.matchAll(/… and (\d+) more URLs of this task/g)].reduce((s, x) => s + Number(x[1]), 0);
      const moreOfDomains = [...m.text.matchAll(/- … and (\d+) more on/g)].reduce((s, x) => s + Number(x[1]), 0);
      expect(moreOfTasks + moreOfDomains).toBe(m.unlisted);
    }
  });

  it('lists exactly as many URLs as the largest listing that fits, as a search measuring every listing finds (property)', () => {
    const event = fc.record({
      task: fc.integer({ min: 0, max: 6 }),
      domain: fc.integer({ min: 0, max: 3 }),
      path: fc.string({ unit: 'binary', maxLength: 60 }),
      desc: fc.constantFrom(...DESCRIPTIONS, 'something else'),
      kind: fc.constantFrom('failed', 'stuck', 'recovered', 'reminder'),
    });
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1200, max: 5000 }), (list, max) => {
        const events = list.map((e, i): AlertEvent => {
          const task = {
            ...facts(i),
            taskId: String(e.task),
            domain: `d${e.domain}.example.com`,
            objectPath: `http://d${e.domain}.example.com/${e.path}`,
            description: e.desc,
          };
          if (e.kind === 'stuck') return { kind: 'stuck', key: `k${i}`, task, ageMinutes: 31 };
          if (e.kind === 'recovered') return { kind: 'recovered', key: `k${i}`, task, failedTaskId: '1', failedDescription: e.desc };
          if (e.kind === 'reminder') return { kind: 'reminder', key: `k${i}`, task, count: 1, max: 2 };
          return { kind: 'failed', key: `k${i}`, task };
        });
        const o = { ...opts, maxBodyBytes: max };
        const [m, ...rest] = renderMessages(events, o, bodyBytes);
        const d = compose(events, o, false);
        const fits = (k: number) => bodyBytes({ title: d.title, text: textOf(d, k), ...d.mentions }) <= max - 8 || (k === 0 && rest.length === 0);
        if (rest.length > 0 || !fits(0)) return;
        let best = 0;
        for (let k = 0; k <= d.rows; k++) if (fits(k)) best = k;
        expect(bodyBytes(m!)).toBeLessThanOrEqual(max);
        expect(d.rows - m!.unlisted).toBe(best);
      }),
      { numRuns: 150 },
    );
  });
});
