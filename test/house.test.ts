// The house rules that a linter does not count the way a reader does: no function in lib/ or functions/ over 60
// lines by a plain count (from its first line to its last, blank lines and comments included), and no file in lib/
// over 250 lines without the reason in its header.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');
const MAX_FUNCTION = 60;
const MAX_FILE = 250;

function sources(dir: string): string[] {
  return ts.sys.readDirectory(path.join(ROOT, dir), ['.ts']).map((f) => path.relative(ROOT, f));
}

function longFunctions(file: string): string[] {
  const src = ts.createSourceFile(file, readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isFunctionLike(n) && 'body' in n && n.body) {
      const first = src.getLineAndCharacterOfPosition(n.getStart()).line;
      const last = src.getLineAndCharacterOfPosition(n.getEnd()).line;
      if (last - first + 1 > MAX_FUNCTION)
        out.push(`${file}:${first + 1} ${(n as ts.FunctionDeclaration).name?.getText() ?? '(anonymous)'}: ${last - first + 1} lines`);
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  return out;
}

describe('the house rules', () => {
  it(`no function in lib/ or functions/ is over ${MAX_FUNCTION} lines, by a plain count`, () => {
    expect([...sources('lib'), ...sources('functions')].flatMap(longFunctions)).toEqual([]);
  });

  it(`no file in lib/ is over ${MAX_FILE} lines unless its header says why ("Over ${MAX_FILE} lines: ...")`, () => {
    const long = sources('lib').filter((f) => {
      const text = readFileSync(path.join(ROOT, f), 'utf8');
      return text.split('\n').length > MAX_FILE && !/^(\/\/|\/\*\*?| \*).*Over 250 lines:/m.test(text.split('\n').slice(0, 15).join('\n'));
    });
    expect(long).toEqual([]);
  });
});
