import { cut, markdownToTerminal, parseWhen, tableLines } from '../../lib/cli/format';
import { summary } from '../../lib/cli/summary';
import { windowOf } from '../../lib/cli/window';
import { NOTHING_READ } from '../../lib/monitor/report';
import type { RunReport } from '../../lib/monitor/types';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const H = 3600_000;

describe('--since and --until', () => {
  it.each([
    ['30m', NOW - 30 * 60_000],
    ['2h', NOW - 2 * H],
    ['3d', NOW - 72 * H],
    ['2026-11-28T22:00:00Z', Date.parse('2026-11-28T22:00:00Z')],
    ['2026-11-28T22:00:00+08:00', Date.parse('2026-11-28T14:00:00Z')],
    ['2026-11-28T22:00+08:00', Date.parse('2026-11-28T14:00:00Z')],
    ['2026-11-28t22:00:00z', Date.parse('2026-11-28T22:00:00Z')],
  ])('accepts %s', (text, ms) => {
    expect(parseWhen('--since', text, NOW)).toBe(ms);
  });

  it.each([
    [
      '2026-11-28T22:00:00',
      /has no time zone; use now, a duration back from now \(30m, 2h, 3d\) or a time with its zone \(2026-11-28T22:00:00Z for UTC, 2026-11-28T22:00:00\+08:00 for UTC\+8\)/,
    ],
    ['2026-11-28 22:00', /has no time zone/],
    ['2026-11-28', /has no time zone/],
    ['yesterday', /"yesterday" is not accepted; use now, a duration back from now/],
    ['Sat, 28 Nov 2026 22:00:00 GMT', /is not accepted/],
  ])('refuses %s, showing both accepted forms', (text, message) => {
    expect(() => parseWhen('--since', text, NOW)).toThrow(message);
  });
});

describe('the window listed', () => {
  it.each([
    ['1h', undefined, { startMs: NOW - H, endMs: NOW, notes: [] }],
    ['3d', undefined, { startMs: NOW - 72 * H + 16 * 60_000, endMs: NOW, notes: [] }],
    [
      '5d',
      '1h',
      {
        startMs: NOW - 72 * H + 16 * 60_000,
        endMs: NOW - H,
        notes: ['--since is older than the 3 days the API keeps; listing from 2026-11-25 20:16:00 UTC+8'],
      },
    ],
    ['2h', '2026-11-28T13:00:00Z', { startMs: NOW - 2 * H, endMs: NOW, notes: ['--until is in the future; listing up to now (2026-11-28 20:00:00 UTC+8)'] }],
  ])('--since %s --until %s', (since, until, window) => {
    expect(windowOf(since, until, NOW)).toEqual(window);
  });

  it.each([
    ['1h', '2h', /--since \(2026-11-28 19:00:00 UTC\+8\) must be before --until \(2026-11-28 18:00:00 UTC\+8\)/],
    ['5d', '4d', /--until 2026-11-24 20:00:00 UTC\+8 is older than the 3 days the API keeps/],
  ])('refuses --since %s --until %s (exit 2)', (since, until, message) => {
    expect(() => windowOf(since, until, NOW)).toThrow(message);
    expect(() => windowOf(since, until, NOW)).toThrow(expect.objectContaining({ exitCode: 2 }));
  });
});

describe('terminal formatting', () => {
  it('lays out a table and keeps control characters out of it', () => {
    expect(
      tableLines(
        ['A', 'Long header'],
        [
          ['x', 'y'],
          ['wide cell', ''],
        ],
      ),
    ).toEqual(['A          Long header', '---------  -----------', 'x          y', 'wide cell']);
    expect(cut('a\u001b[31mred\nline', 100)).toBe('a [31mred line');
    expect(cut('abcdef', 4)).toBe('abc…');
  });

  it('turns DingTalk markdown into plain lines', () => {
    expect(markdownToTerminal('### Title  \n**bold** text  \n#### Section\n> hint')).toBe('== Title ==\nbold text\n-- Section\n  hint');
  });

  it('summarises a run report, every time with its zone', () => {
    const report: RunReport = {
      status: 'degraded',
      dryRun: false,
      read: {
        ...NOTHING_READ,
        status: 'down',
        mode: 'incremental/whole',
        frontier: '2026-11-28T11:55:00Z',
        error: { code: 'Forbidden.RAM', message: 'denied' },
      },
      verdicts: {} as RunReport['verdicts'],
      failures: { new: 2, backlog: 5 },
      stuck: 1,
      recovered: 0,
      alerts: { messagesSent: 1, delivered: 3, pending: 1, uncertain: 0, dropped: 0, error: { code: '130101', reason: 'sent too fast' } },
      health: 'down',
      clockSkewMs: 0,
      apiCalls: 4,
      durationMs: 812,
    };
    expect(summary(report).split('\n')).toEqual([
      'status: degraded',
      'read: down (incremental/whole), 0 rows, 4 API calls, 812 ms; read up to 2026-11-28 19:55:00 UTC+8',
      'failures: 2 new, 5 earlier (counted, not listed); stuck: 1; recovered: 0',
      'alerts: 1 message sent, 3 delivered, 1 pending - sent too fast',
      'monitor health: down - Forbidden.RAM: denied (fix: the RAM role or user may not call vod:DescribeVodRefreshTasks: attach deploy/ram-policy.json to it)',
    ]);
  });
});
