import fc from 'fast-check';
import type { AlertEvent, TaskFacts } from '../../lib/events/schema';
import { bodyBytes } from '../../lib/notify/dingtalk';
import { inert } from '../../lib/notify/escape';
import { type RenderOptions, renderMessages, renderMinimal } from '../../lib/notify/render';
import { localTime, shanghaiTime } from '../../lib/time';

const opts: RenderOptions = {
  monitorName: 'VOD refresh',
  keywords: ['VOD'],
  mentions: { atMobiles: ['13800000000'], atUserIds: ['manager01'], atAllMinFailures: 0 },
  maxBodyBytes: 20_000,
  failureHint: 'Next: look at the origin.',
  stuckAfterMinutes: 30,
};
const render = (events: AlertEvent[], o: RenderOptions = opts) => renderMessages(events, o, bodyBytes);

const facts = (id: number, over: Partial<TaskFacts> = {}): TaskFacts => ({
  taskId: String(700000000 + id),
  objectPath: `http://video.example.com/videos/${id}/video.mp4`,
  objectType: 'file',
  status: 'Failed',
  description: 'Origin Timeout',
  creationTime: '2026-11-28T04:00:00Z',
  domain: 'video.example.com',
  ...over,
});
const failed = (id: number, over: Partial<TaskFacts> = {}): AlertEvent => ({ kind: 'failed', key: `failed:${id}`, task: facts(id, over) });

describe('renderMessages', () => {
  it('groups by Description, then domain, then task id; counts URLs; times carry their zone', () => {
    const events = [
      failed(1),
      failed(2, { description: 'Internal Error' }),
      failed(3, { domain: 'vod.example.cn', objectPath: 'http://vod.example.cn/3.mp4' }),
      failed(4, { description: 'Origin Return StatusCode 5XX' }),
    ];
    const [m] = render(events);
    expect(m!.title).toBe('VOD refresh: 4 failed');
    const order = ['#### Origin Timeout: 2 failed', '#### Origin Return StatusCode 5XX: 1 failed', '#### Internal Error: 1 failed'].map((h) =>
      m!.text.indexOf(h),
    );
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(m!.text).toContain('**vod.example.cn** (1)');
    expect(m!.text).toContain('- TaskId 700000001 · file · 2026-11-28 12:00:00 UTC+8');
    expect(shanghaiTime(Date.parse('2026-11-28T16:30:00Z'))).toBe('2026-11-29 00:30:00');
    expect(localTime(0)).toBe('1970-01-01 08:00:00 UTC+8');
  });

  it('lists the URLs of one merged task id under it, with the number of URLs', () => {
    const events = [0, 1, 2].map((i) => failed(i, { taskId: '7001', objectPath: `http://video.example.com/batch/${i}.mp4` }));
    const [m] = render(events);
    expect(m!.text).toContain('- TaskId 7001 · file · 2026-11-28 12:00:00 UTC+8 · 3 URLs');
    for (const i of [0, 1, 2]) expect(m!.text.split('\n').map((l) => l.trimEnd())).toContain(`  http://video.example.com/batch/${i}.mp4`);
    expect(m!.title).toBe('VOD refresh: 3 failed');
  });

  it('keeps 2,000 failed URLs of one task id within 20,000 bytes, with exact counts', () => {
    const events = Array.from({ length: 2000 }, (_, i) =>
      failed(i, { taskId: '7009', objectPath: `http://video.example.com/season-1/episode-${i}/segment-${i}.ts` }),
    );
    const ms = render(events);
    expect(ms).toHaveLength(1);
    const m = ms[0]!;
    expect(bodyBytes(m)).toBeLessThanOrEqual(20_000);
    expect(m.text).toContain('#### Origin Timeout: 2000 failed');
    expect(m.text).toContain('· 2000 URLs');
    const listed = m.text.split('\n').filter((l) => l.startsWith('  http://')).length;
    const more = Number(/… and (\d+) more URLs of this task/.exec(m.text)?.[1]);
    expect(listed + more).toBe(2000);
    expect(m.unlisted).toBe(more);
  });

  it('rings the configured people on failures, writing @mobile in the text, and nobody on good news', () => {
    const [bad] = render([failed(1)]);
    expect(bad).toMatchObject({ atMobiles: ['13800000000'], atUserIds: ['manager01'], isAtAll: false });
    expect(bad!.text).toContain('@13800000000 @manager01');
    const good: AlertEvent = {
      kind: 'recovered',
      key: 'recovered:1',
      task: facts(2, { status: 'Complete' }),
      failedTaskId: '1',
      failedDescription: 'Origin Timeout',
    };
    const [ok] = render([good]);
    expect(ok).toMatchObject({ atMobiles: [], atUserIds: [], isAtAll: false });
  });

  it('rings @all only from the configured number of failures', () => {
    const o = { ...opts, mentions: { ...opts.mentions, atAllMinFailures: 3 } };
    expect(render([failed(1), failed(2)], o)[0]!.isAtAll).toBe(false);
    expect(render([failed(1), failed(2), failed(3)], o)[0]!.isAtAll).toBe(true);
  });

  it('puts the configured keywords verbatim in title and text, underscores included', () => {
    const [m] = render([failed(1)], { ...opts, keywords: ['VOD_ALERT', '告警'], monitorName: 'CDN watch' });
    expect(m!.title.startsWith('VOD_ALERT CDN watch')).toBe(true);
    expect(m!.text).toContain('VOD_ALERT');
    expect(m!.text).toContain('告警');
  });

  it.each([
    ['a markdown link', 'http://x/a[click](http://evil.example)'],
    ['@all', 'http://x/@all/video.mp4'],
    ['a mobile', 'http://x/@13912345678.mp4'],
    ['a heading and a newline', 'http://x/a\n# Everything is fine\n'],
    ['emphasis and code', 'http://x/**bold**/_it_/`code`'],
    ['HTML', 'http://x/<img src=x onerror=alert(1)>'],
    ['a CR and unicode line separators', 'http://x/a\r\u2028\u2029b'],
  ])('renders a path with %s as inert text and rings nobody new', (_n, objectPath) => {
    const [m] = render([failed(1, { objectPath, domain: 'x' })], { ...opts, mentions: { atMobiles: [], atUserIds: [], atAllMinFailures: 0 } });
    const line = m!.text.split('\n').find((l) => l.startsWith('  http'))!;
    expect(line).not.toMatch(/[[\]<>*_`#@\r\u2028\u2029]/);
    expect(line).not.toContain('://');
    expect(m!.text.split('\n').filter((l) => l.startsWith('#')).length).toBe(2);
    expect(m).toMatchObject({ atMobiles: [], atUserIds: [], isAtAll: false });
    expect(m!.text).not.toMatch(/@all|@1391/);
  });

  it('lists as many of 500 failures as fit in 20,000 bytes and states the exact counts', () => {
    const events = Array.from({ length: 500 }, (_, i) =>
      failed(i, { description: ['Origin Timeout', 'Internal Error', 'Origin Return StatusCode 5XX'][i % 3]!, domain: `d${i % 4}.example.com` }),
    );
    const [m, ...rest] = render(events);
    expect(rest).toHaveLength(0);
    expect(bodyBytes(m!)).toBeLessThanOrEqual(20_000);
    expect(m!.text).toContain('#### Origin Timeout: 167 failed');
    expect(m!.text).toContain('#### Origin Return StatusCode 5XX: 166 failed');
    const listed = (m!.text.match(/TaskId \d+/g) ?? []).length;
    const more = [...m!.text.matchAll(/… and (\d+) more on/g)].reduce((s, x) => s + Number(x[1]), 0);
    expect(listed + more).toBe(500);
    expect(m!.keys).toHaveLength(500);
  });

  it('splits into several messages only when even the counts do not fit, each within the limit', () => {
    const events = Array.from({ length: 400 }, (_, i) => failed(i, { domain: `host-${i}.example.com`, objectPath: `http://host-${i}.example.com/v.mp4` }));
    const messages = render(events, { ...opts, maxBodyBytes: 6000 });
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(bodyBytes(m)).toBeLessThanOrEqual(6000);
    expect(messages.flatMap((m) => m.keys).sort()).toEqual(events.map((e) => e.key).sort());
  });

  it('keeps every body within the limit for any mix of hostile events (property)', () => {
    const ev = fc.record({
      id: fc.string({ minLength: 1, maxLength: 20 }),
      path: fc.string({ maxLength: 3000 }),
      desc: fc.option(fc.string({ maxLength: 300 }), { nil: null }),
      domain: fc.string({ maxLength: 80 }),
    });
    fc.assert(
      fc.property(fc.array(ev, { minLength: 1, maxLength: 80 }), (list) => {
        const events = list.map((e, i) => failed(i, { taskId: e.id, objectPath: e.path, description: e.desc, domain: e.domain }));
        const messages = render(events, { ...opts, maxBodyBytes: 8000 });
        for (const m of messages) expect(bodyBytes(m)).toBeLessThanOrEqual(8000);
        expect(messages.flatMap((m) => m.keys)).toHaveLength(events.length);
      }),
      { numRuns: 60 },
    );
  });

  it('says when a message may repeat one whose send timed out', () => {
    expect(renderMessages([failed(1)], opts, bodyBytes, new Set(['failed:1']))[0]!.text).toContain('Possibly a repeat');
    expect(renderMessages([failed(1)], opts, bodyBytes)[0]!.text).not.toContain('Possibly a repeat');
  });

  it('has a short form of our own words for an alert the robot refused, with its task id and no API text', () => {
    const m = renderMinimal(failed(1, { objectPath: 'http://x/forbidden', description: 'forbidden words' }), opts, '430102');
    expect(m.text).toContain('TaskId 700000001');
    expect(m.text).not.toContain('forbidden');
    expect(m.text).toContain('VOD');
  });
});

describe('inert', () => {
  it('bounds length', () => {
    expect(inert('a'.repeat(10_000)).length).toBeLessThanOrEqual(300);
  });
});

describe('the first run count', () => {
  const backlog = (count: number): AlertEvent => ({
    kind: 'backlog',
    key: `backlog:${count}`,
    count,
    byDescription: { 'Origin Timeout': count },
    byType: { file: count },
    sinceMs: Date.parse('2026-11-28T00:00:00Z'),
    untilMs: Date.parse('2026-11-28T04:00:00Z'),
  });

  it.each([
    [1, /\b1 earlier failure\b(?!s)/, '**1 earlier failure** between', 'was found on the first run and is counted'],
    [2, /\b2 earlier failures\b/, '**2 earlier failures** between', 'were found on the first run and are counted'],
  ])('says %i in good English', (count, title, bold, verb) => {
    const [m] = render([backlog(count)]);
    expect(m!.title).toMatch(title);
    expect(m!.text).toContain(bold);
    expect(m!.text).toContain(verb);
  });
});
