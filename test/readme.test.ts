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
