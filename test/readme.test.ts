// The README keeps its word: the two commands first, a page read in ten minutes, the deploy as docs/deploy.md gives
// it (whose commands test/deploy/ holds against the policies), variables as the schema has them, and an alert as the
// current code renders it.

import { markdownToTerminal } from '../lib/cli/format';
import { variableDocs } from '../lib/config';
import type { AlertEvent } from '../lib/events/schema';
import { domainOf } from '../lib/identity';
import { bodyBytes, DINGTALK_MAX_BODY_BYTES } from '../lib/notify/dingtalk';
import { renderMessages } from '../lib/notify/render';
import { codeBlocks, doc, section } from './docs/markdown';
import { defaultProblem, variableTable } from './docs/variables';

const README = doc('README.md');

/** The command lines of a section's code blocks in `lang`: comments and blank lines left out. */
const commandLines = (text: string, lang: string) =>
  codeBlocks(text, lang)
    .flat()
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

describe('the README keeps its word', () => {
  it('opens with the two commands that work on a fresh machine', () => {
    const firstBlock = README.slice(README.indexOf('```sh'), README.indexOf('```', README.indexOf('```sh') + 5));
    expect(firstBlock).toContain('npm ci && npm run demo');
    expect(firstBlock).toContain('npm test');
  });

  it('is read in ten minutes: at most 300 lines', () => {
    expect(README.split('\n').length).toBeLessThanOrEqual(300);
  });

  it('deploys in at most five steps, each command one of the five steps of docs/deploy.md', () => {
    const deploy = section(README, 'Deploy');
    const steps = [...deploy.matchAll(/^\*\*(\d+)\. /gm)].map((m) => Number(m[1]));
    expect(steps).toEqual([1, 2, 3, 4, 5]);
    const full = section(doc('docs/deploy.md'), 'Deploy from an empty account in five steps');
    for (const lang of ['sh', 'dotenv']) {
      const known = new Set(commandLines(full, lang));
      const lines = commandLines(deploy, lang);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.filter((l) => !known.has(l))).toEqual([]);
    }
  });

  it('gives the variables it shows their names and defaults as the schema has them', () => {
    const table = variableTable(section(README, 'Configuration'));
    expect(table.size).toBeGreaterThanOrEqual(5);
    expect([...table].map(([name, cell]) => defaultProblem(name, cell)).filter(Boolean)).toEqual([]);
    expect([...table.keys()].filter((n) => !variableDocs().some((v) => v.name === n))).toEqual([]);
  });

  it('shows an alert exactly as the current code renders it for the failures it lists', () => {
    const block = codeBlocks(section(README, 'What an alert looks like'), '')[0]!.join('\n');
    const events = failuresShownIn(block);
    expect(events.length).toBeGreaterThan(1);
    const mentions = { atMobiles: ['13800000000'], atUserIds: [], atAllMinFailures: 0 };
    const opts = { monitorName: 'VOD refresh', keywords: ['VOD'], mentions, maxBodyBytes: DINGTALK_MAX_BODY_BYTES, stuckAfterMinutes: 30 };
    const [message, ...more] = renderMessages(events, opts, bodyBytes);
    expect(more).toHaveLength(0);
    expect(markdownToTerminal(message!.text)).toBe(block);
  });
});

describe('the later messages the README shows', () => {
  const at = (iso: string) => Date.parse(iso);
  const failure = {
    taskId: '700000084',
    objectPath: 'http://video.example.com/series/s01/e017/index.m3u8',
    objectType: 'file',
    status: 'Failed',
    description: 'Origin Timeout',
    creationTime: '2026-12-03T20:10:18+08:00',
    domain: 'video.example.com',
  };
  // The events behind the README's reminder, mute summary and digest: the README must read as the code renders them.
  const shown: [string, AlertEvent][] = [
    ['a reminder', { kind: 'reminder', key: 'r', task: failure, count: 1, max: 2 }],
    [
      'a mute summary',
      {
        kind: 'muted-summary',
        key: 'm',
        receiver: 'cn-team',
        mute: 'cn-migration',
        reason: 'origin migration',
        fromMs: at('2026-12-03T01:10:00+08:00'),
        toMs: at('2026-12-03T03:20:00+08:00'),
        count: 3,
        byKind: { failed: 3 },
        byDescription: { 'Origin Timeout': 3 },
        byDomain: { 'img.example.cn': 3 },
        firstFailed: { 'preload|img.example.cn': at('2026-12-03T01:05:40+08:00') },
      },
    ],
    [
      'a digest',
      {
        kind: 'digest',
        key: 'd',
        receiver: 'default',
        day: '2026-12-04',
        fromMs: at('2026-12-03T09:30:01+08:00'),
        toMs: at('2026-12-04T09:30:02+08:00'),
        failures: { 'video.example.com|Origin Timeout': 4, 'img.example.cn|Origin Timeout': 3 },
        told: { reported: 4, muted: 3 },
        topUrls: [{ url: failure.objectPath, count: 2 }],
        account: { rows: 2140, failed: 7, previousRows: 1980, previousFailed: 2 },
        unresolved: 1,
        stuck: 0,
        retries: null,
        runs: { total: 288, ok: 288, blindMs: 0, gaps: 0, longest: null, blindAfterMs: 900_000 },
      },
    ],
  ];
  const blocks = codeBlocks(section(README, 'What an alert looks like'), '').slice(1);
  const mentions = { atMobiles: ['13800000000'], atUserIds: [], atAllMinFailures: 0 };
  const opts = { monitorName: 'VOD refresh', keywords: ['VOD'], mentions, maxBodyBytes: DINGTALK_MAX_BODY_BYTES, stuckAfterMinutes: 30 };

  it('shows one block for each of them', () => {
    expect(blocks).toHaveLength(shown.length);
  });

  it.each(shown.map(([name, event], i) => [name, event, i] as const))('shows %s exactly as the current code renders it', (_, event, i) => {
    const [message, ...more] = renderMessages([event], opts, bodyBytes);
    expect(more).toHaveLength(0);
    expect(markdownToTerminal(message!.text)).toBe(blocks[i]!.join('\n'));
  });
});

/** Look-alike characters a message writes in place of markdown syntax, back to what the API sent. */
const LOOK_ALIKES: Record<string, string> = { '∶': ':', '［': '[', '］': ']', '＠': '@' };

/**
 * The failures a message shows, read back from it: under each `-- <Description>: N failed` heading, each
 * `- TaskId <id> · <type> · <time> UTC+8` line and the URLs below it.
 */
function failuresShownIn(text: string): AlertEvent[] {
  const events: AlertEvent[] = [];
  let description: string | null = null;
  let task: { taskId: string; objectType: string; creationTime: string } | null = null;
  for (const line of text.split('\n')) {
    const heading = /^-- (.+): \d+ failed$/.exec(line);
    const row = /^- TaskId (\d+) · (\w+) · (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC\+8/.exec(line);
    const url = /^ {2}(http\S+)$/.exec(line);
    if (heading) description = heading[1]!;
    else if (row) task = { taskId: row[1]!, objectType: row[2]!, creationTime: `${row[3]}T${row[4]}+08:00` };
    else if (url && task && description) {
      const objectPath = url[1]!.replace(/[∶［］＠]/g, (c) => LOOK_ALIKES[c]!);
      const facts = { ...task, objectPath, status: 'Failed', description, domain: domainOf(objectPath) };
      events.push({ kind: 'failed', key: `failed:${task.taskId}/${objectPath}`, task: facts });
    }
  }
  return events;
}

describe("the README's costs are the benchmark's", () => {
  type BenchRow = { bench: string; figure: string; value: number | string };
  const results = JSON.parse(doc('bench/results.json')) as { rows: BenchRow[] };
  /** The value of the last row of `bench` whose figure matches (the largest size, where a group has several). */
  const value = (bench: string, figure: RegExp) => {
    const row = results.rows.filter((r) => r.bench === bench && figure.test(r.figure)).at(-1);
    if (!row) throw new Error(`bench/results.json has no ${bench} row matching ${figure}`);
    return String(row.value);
  };
  const text = section(README, 'How it works, in short');
  const table = new Map(
    text
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| a run') && !l.startsWith('| ---'))
      .map((l) => l.split('|').map((c) => c.trim()))
      .map((cells) => [cells[1]!, cells[3]!] as const),
  );

  it.each([
    ['quiet: nothing new', () => value('quiet', /^API calls per run/)],
    ['quiet, 10,000 URLs watched', () => value('scale', /^API calls per quiet run/)],
    [
      '10,000 watched URLs crossing the stuck threshold',
      () =>
        value('scale', /cross STUCK_AFTER_MINUTES/)
          .split(' / ')[1]!
          .split(' ')[0]!,
    ],
    ['busy: 5,000 new rows since the last run', () => value('busy', /^API calls/)],
    ['first run over 1,000,000 rows (a full scan: 19,946)', () => value('first', /^API calls/)],
  ])('row %s: the measured calls', (row, measured) => {
    expect(table.get(row)).toBe(measured());
  });

  it('gives the time to alert and the peaks the benchmark measured', () => {
    const p95 = (cadence: number) => value('alert-time', new RegExp(`^MONITOR_EVERY_MINUTES=${cadence}:`)).split(' / ')[1]!;
    expect(text).toContain(`within ${p95(1)} s (p95) at \`MONITOR_EVERY_MINUTES=1\`, ${p95(5)} s at the default 5`);
    expect(text).toContain(`every cap peaks at ${value('memory', /^peak RSS under s\.yaml/)} MB`);
    expect(text).toContain(
      `50,000 new failures at ${
        value('linear', /^50,000: wall time/)
          .split(' / ')[1]!
          .split(' ')[0]
      } MB`,
    );
  });
});
