// docs/design.md keeps its word: its table of decisions names every verdict a row can get, and no other; "How a run
// works" names every stage module runMonitor calls, and only files that exist.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { VERDICTS } from '../../lib/decide/verdict';
import { codesOf, doc, section, tableRows } from './markdown';

describe('docs/design.md', () => {
  it('the decisions table names every verdict of verdictOf, and no other', () => {
    const table = section(doc('docs/design.md'), 'Decisions');
    const named = tableRows(table.slice(0, table.indexOf('And what the monitor says about itself'))).flatMap(([verdict]) => codesOf(verdict ?? ''));
    expect(named.sort()).toEqual([...VERDICTS].sort());
  });
});

describe('docs/design.md, "How a run works"', () => {
  const text = section(doc('docs/design.md'), 'How a run works');
  const root = path.resolve(__dirname, '../..');

  it('names only files and folders that exist', () => {
    const named = [...text.matchAll(/\b((?:lib|functions)\/[\w./-]*\w)/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((p) => !existsSync(path.join(root, p)) && !existsSync(path.join(root, `${p}.ts`)))).toEqual([]);
  });

  it('names every stage module of lib/monitor that runMonitor calls', () => {
    const index = readFileSync(path.join(root, 'lib/monitor/index.ts'), 'utf8');
    const imported = [...index.matchAll(/from '\.\/([\w-]+)'/g)].map((m) => m[1]!).filter((m) => m !== 'types');
    const stages = readdirSync(path.join(root, 'lib/monitor')).map((f) => f.replace(/\.ts$/, ''));
    expect(imported.every((m) => stages.includes(m))).toBe(true);
    const unnamed = imported.filter((m) => !text.includes(`lib/monitor/${m}.ts`));
    expect(unnamed).toEqual([]);
  });
});
