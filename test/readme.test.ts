import { readFileSync } from 'node:fs';
import path from 'node:path';
import { variableDocs } from '../lib/config';

const README = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

/** The rows of the README's configuration table: variable name to its default column. */
function configurationTable(): Map<string, string> {
  const section = README.slice(README.indexOf('## Configuration'), README.indexOf('\n## ', README.indexOf('## Configuration') + 5));
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const m = /^\| `([A-Z_]+)` \| ([^|]*) \|/.exec(line);
    if (m) rows.set(m[1]!, m[2]!.trim());
  }
  return rows;
}

describe('the README keeps its word', () => {
  it('opens with the two commands that work on a fresh machine', () => {
    const firstBlock = README.slice(README.indexOf('```sh'), README.indexOf('```', README.indexOf('```sh') + 5));
    expect(firstBlock).toContain('npm ci && npm run demo');
    expect(firstBlock).toContain('npm test');
  });

  it('documents every variable the configuration accepts, and no other', () => {
    const documented = configurationTable();
    expect([...documented.keys()].sort()).toEqual(
      variableDocs()
        .map((v) => v.name)
        .sort(),
    );
  });

  it('gives each variable the default the schema applies', () => {
    const documented = configurationTable();
    for (const v of variableDocs()) {
      const cell = documented.get(v.name) ?? '';
      if (/^\d/.test(v.default)) expect(`${v.name}: ${cell}`).toContain(`${v.name}: \`${v.default}\``);
    }
  });
});
