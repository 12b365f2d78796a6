// docs/cli.md keeps its word: its tables list every option of the pipeline commands and every key of `local`.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { KEYS } from '../../lib/cli/local/keys';
import { main } from '../../lib/cli/main';

const DOC = readFileSync(path.join(__dirname, '../../docs/cli.md'), 'utf8');

/** The first cells of the table under `heading`. */
function firstCells(heading: string): string[] {
  const from = DOC.indexOf(heading);
  const section = DOC.slice(from, DOC.indexOf('\n#', from + heading.length));
  return [...section.matchAll(/^\| `([^`]+)`/gm)].map((m) => m[1]!);
}

async function optionsOf(command: string): Promise<string[]> {
  const out: string[] = [];
  await main([command, '--help'], { stdout: (s) => out.push(s), stderr: () => undefined, env: {}, now: Date.now });
  return [...out.join('\n').matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]!).filter((o) => !['--help', '--verbose'].includes(o));
}

describe('docs/cli.md', () => {
  it('documents every option of wait, refresh and preload', async () => {
    const documented = new Set(firstCells('### Options').map((cell) => cell.split(' ')[0]!));
    for (const command of ['wait', 'refresh', 'preload'])
      for (const option of await optionsOf(command)) expect(`${command} ${option}: ${documented.has(option)}`).toBe(`${command} ${option}: true`);
  });

  it('documents every key of local, and no other', () => {
    const documented = firstCells('### Keys').flatMap((cell) => cell.split(/`, `|, /));
    expect(documented.filter((k) => k !== 'Ctrl-C').sort()).toEqual(KEYS.map(([k]) => k).sort());
  });

  it('documents the five exit codes of wait', () => {
    expect(firstCells('### Exit codes')).toEqual(['0', '1', '2', '3', '4']);
  });
});
