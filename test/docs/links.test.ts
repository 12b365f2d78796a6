// Every relative link of the README and of docs/ leads somewhere: to a file or folder of the repository, and, with
// a #fragment, to a heading of that page.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { anchorsOf, doc, ROOT, withoutCode } from './markdown';

const PAGES = [
  'README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The problems of the relative links of one page: a missing file, a missing anchor. */
function brokenLinks(page: string, text: string, read: (file: string) => string = doc): string[] {
  const problems: string[] = [];
  // Code shows links as text (a message's markdown, a shell line): they are not links of the page.
  const prose = withoutCode(text).replace(/`[^`\n]*`/g, '');
  for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = m[1]!;
    if (/^[a-z]+:/i.test(target)) continue;
    const [file, anchor] = target.split('#') as [string, string | undefined];
    const resolved = file === '' ? page : path.normalize(path.join(path.dirname(page), file));
    const full = path.join(ROOT, resolved);
    if (resolved.startsWith('..') || !existsSync(full)) {
      problems.push(`${page}: ${target}: no such file`);
      continue;
    }
    if (anchor === undefined) continue;
    if (statSync(full).isDirectory() || !resolved.endsWith('.md')) problems.push(`${page}: ${target}: an anchor into something that is not a page`);
    else if (!anchorsOf(read(resolved)).has(anchor)) problems.push(`${page}: ${target}: ${resolved} has no heading for #${anchor}`);
  }
  return problems;
}

describe('links between the docs', () => {
  it.each(PAGES)('%s: every relative link and anchor exists', (page) => {
    expect(brokenLinks(page, doc(page))).toEqual([]);
  });

  it('finds a missing file, a missing anchor and an anchor into a folder, and ignores links shown as code', () => {
    const text = [
      '[a](docs/nowhere.md) [b](docs/design.md#no-such-heading) [c](bench/#x) [d](https://example.com/x)',
      '`[e](docs/missing.md)`',
      '```',
      '[f](docs/missing-too.md)',
      '```',
      '[g](docs/design.md#a-row-is-a-url) [h](#here)',
      '## Here',
    ].join('\n');
    expect(brokenLinks('README.md', text, (f) => (f === 'README.md' ? text : doc(f)))).toEqual([
      'README.md: docs/nowhere.md: no such file',
      'README.md: docs/design.md#no-such-heading: docs/design.md has no heading for #no-such-heading',
      'README.md: bench/#x: an anchor into something that is not a page',
    ]);
  });
});
