import fc from 'fast-check';
import type { AlertEvent, TaskFacts } from '../../lib/events/schema';
import { domainOf } from '../../lib/identity';
import { bodyBytes } from '../../lib/notify/dingtalk';
import { inert, isPlainUrl, urlText } from '../../lib/notify/escape';
import { CONSOLE_URL } from '../../lib/notify/hints';
import { type RenderOptions, renderMessages } from '../../lib/notify/render';
import { foreignLinks, linksIn, mentionsIn } from './links';

const nobody = { atMobiles: [], atUserIds: [], atAllMinFailures: 0 };
const opts: RenderOptions = { monitorName: 'VOD refresh', keywords: ['VOD'], mentions: nobody, maxBodyBytes: 20_000, stuckAfterMinutes: 30 };
const CONSOLE_HOST = new URL(CONSOLE_URL).hostname;

const facts = (objectPath: string, i = 0): TaskFacts => ({
  taskId: String(700000000 + i),
  objectPath,
  objectType: 'file',
  status: 'Failed',
  description: 'Origin Timeout',
  creationTime: '2026-11-28T04:00:00Z',
  domain: domainOf(objectPath),
});

/** The same path in every kind of event that lists a URL, and in a digest. */
function everyKind(path: string): AlertEvent[] {
  const task = facts(path);
  return [
    { kind: 'failed', key: 'f', task },
    { kind: 'stuck', key: 's', task: { ...task, status: 'Refreshing' }, ageMinutes: 40 },
    { kind: 'recovered', key: 'r', task: { ...task, status: 'Complete' }, failedTaskId: '1', failedDescription: 'Origin Timeout' },
    { kind: 'reminder', key: 'm', task, count: 1, max: 2 },
    { kind: 'resubmitted', key: 'u', task, newTaskId: '9', attempt: 1, maxAttempts: 2 },
  ];
}

const digestOf = (url: string): AlertEvent => ({
  kind: 'digest',
  key: 'd',
  receiver: 'default',
  day: '2026-11-28',
  fromMs: 0,
  toMs: 86_400_000,
  failures: {},
  topUrls: [{ url, count: 2 }],
  account: null,
  unresolved: 0,
  stuck: 0,
  retries: null,
  runs: { total: 1, ok: 1, blindMs: 0 },
});

const texts = (events: AlertEvent[]) => renderMessages(events, opts, bodyBytes).map((m) => m.text);

/** URLs as CDNs hold them: http(s), host names, paths of words with digits, dashes, dots, underscores, %-escapes, queries. */
const word = fc.stringMatching(/^[A-Za-z0-9]{1,12}$/);
const joiner = fc.constantFrom('-', '.', '_', '%20', '%E8%A7%86', '');
const segment = fc.tuple(word, fc.array(fc.tuple(joiner, word), { maxLength: 4 })).map(([w, rest]) => w + rest.map(([j, x]) => j + x).join(''));
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$/);
const host = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom('com', 'cn', 'net', 'example.com'), fc.option(fc.integer({ min: 1, max: 65535 })))
  .map(([labels, tld, port]) => `${[...labels, tld].join('.')}${port === null ? '' : `:${port}`}`);
const query = fc
  .array(fc.tuple(word, fc.oneof(segment, fc.constant(''))), { minLength: 1, maxLength: 4 })
  .map((kv) => `?${kv.map(([k, v]) => `${k}=${v}`).join('&')}`);
const ordinaryUrl = fc
  .tuple(fc.constantFrom('http', 'https'), host, fc.array(segment, { minLength: 1, maxLength: 6 }), fc.boolean(), fc.option(query))
  .map(([scheme, h, segs, dir, q]) => `${scheme}://${h}/${segs.join('/')}${dir ? '/' : ''}${q ?? ''}`);

/** Pieces of what markdown, autolinks and mentions are made of. */
const pieces = fc
  .array(
    fc.oneof(
      fc.constantFrom('http://', 'https://', 'HTTP://', '//', 'www.', 'javascript:', 'data:', 'evil.example', 'x', '/', '.', '?', '&', '=', '%'),
      fc.constantFrom('[', ']', '](', '(', ')', '<', '>', '![', '@', '13800000000', 'all', '<@', '`', '*', '_', '~', '#', '|', '\\', '"', "'"),
      fc.constantFrom(' ', '\n', '\r', '\u2028', '\t', '&amp;', '&lt;', '<a href=', '<img src=', '<font color="info">', '\u200b', '：', '$', '{', '^'),
      word,
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.join(''));

/** Any text, weighted towards those pieces, alone or inside an otherwise ordinary URL. */
const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  pieces,
  fc.tuple(ordinaryUrl, pieces, fc.boolean()).map(([u, p, inside]) => (inside ? u.replace(/\/(?=[^/]*$)/, `/${p}`) : u + p)),
);

describe('URLs in messages', () => {
  it('holds an ordinary URL verbatim in every kind of message, so it can be copied (property)', () => {
    fc.assert(
      fc.property(ordinaryUrl, (url) => {
        expect(isPlainUrl(url)).toBe(true);
        for (const text of texts([...everyKind(url), digestOf(url)])) expect(text).toContain(url);
      }),
      { numRuns: 300 },
    );
  });

  it('links any path only to its own host and rings nobody, whatever it holds (property)', () => {
    fc.assert(
      fc.property(hostile, (path) => {
        const own = domainOf(path);
        const messages = renderMessages([...everyKind(path), digestOf(path)], opts, bodyBytes);
        const plain = renderMessages([...everyKind('http://x.example/a.mp4'), digestOf('http://x.example/a.mp4')], opts, bodyBytes);
        messages.forEach((m, i) => {
          expect(foreignLinks(m.text, [own, CONSOLE_HOST].filter(Boolean))).toEqual([]);
          expect(mentionsIn(m.text)).toEqual([]);
          expect(m).toMatchObject({ atMobiles: [], atUserIds: [], isAtAll: false });
          // No line break of the API's text: it can start no heading, quote, list item or table row of its own.
          expect(m.text.split('\n').length).toBe(plain[i]!.text.split('\n').length);
        });
      }),
      { numRuns: 400 },
    );
  });

  it.each([
    ['a link after an ordinary URL', 'http://x.example/a[click](http://evil.example)@all'],
    ['a second URL in the query', 'http://x.example/r?u=http://evil.example/'],
    ['user info before the host', 'http://x.example@evil.example/a.mp4'],
    ['an angle autolink', 'http://x.example/<http://evil.example>'],
    ['javascript:', 'javascript:alert(1)//http://x.example/'],
    ['a www. word', 'http://x.example/a b www.evil.example'],
    ['a www. after a parenthesis (GFM links it)', 'http://0.com/0(www.evil.example'],
    ['a www. after an underscore', 'http://a.com/a_www.evil.example'],
    ['a mobile', 'http://x.example/@13800000000.mp4'],
    ['a WeCom mention', 'http://x.example/<@manager01>'],
    ['backticks and emphasis', 'http://x.example/`a`/**b**/_c_/~~d~~'],
    ['an HTML entity', 'http://x.example/a?x=1&amp;y=2'],
    ['an underscore that could close emphasis', 'http://x.example/name_.mp4'],
    ['an underscore that could close emphasis opened by the URL above it', 'http://x.example/a/b_'],
    ['a tilde inside a word (GFM strikes through between two)', 'http://x.example/a~b.mp4'],
    ['a newline and a heading', 'http://x.example/a\n# fine\n> quoted'],
    ['a numeric host no browser parses (past 2^32)', 'http://13800000000'],
    ['a numeric host a browser reads as another address', 'http://0x10/a.mp4'],
    ['a short numeric host (0.0.0.123 to a browser)', 'http://123/a.mp4'],
  ])('shows a path with %s as inert text', (_name, path) => {
    expect(isPlainUrl(path)).toBe(false);
    const shown = urlText(path);
    expect(linksIn(shown)).toEqual([]);
    expect(mentionsIn(shown)).toEqual([]);
    expect(shown).not.toMatch(/[[\]<>`*\n@]/);
  });

  it.each([
    'http://video.example.com/series/s01/e017/index.m3u8',
    'https://media.example.net:8443/v1/my_video-final.2.mp4?auth=1&t=abc_def',
    'http://video.example.com/%E8%A7%86%E9%A2%91/a%20b.mp4',
    'http://video.example.com/_next/static/_thumbs/cover.jpg?_t=1',
    'http://video.example.com/copy(2).mp4',
    'http://video.example.com/~user/a.mp4',
    'http://10.0.0.7:8080/origin/a.mp4',
    'http://Video.Example.com/a.mp4',
  ])('writes %s as it is', (url) => {
    expect(urlText(url)).toBe(url);
  });

  it('keeps inert text readable: look-alikes for syntax, a broken scheme, bounded length', () => {
    expect(inert('http://x/a[b](c)@all')).toBe('http∶//x/a［b］(c)＠all');
    expect(inert('see www.example.com')).toBe('see www․example.com');
    expect(inert('a'.repeat(10_000)).length).toBeLessThanOrEqual(300);
    expect(urlText('')).toBe('(no path)');
  });
});
