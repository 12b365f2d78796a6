// docs/design.md keeps its word: its table of decisions names every verdict a row can get, and no other.
import { VERDICTS } from '../../lib/decide/verdict';
import { codesOf, doc, section, tableRows } from './markdown';

describe('docs/design.md', () => {
  it('the decisions table names every verdict of verdictOf, and no other', () => {
    const table = section(doc('docs/design.md'), 'Decisions');
    const named = tableRows(table.slice(0, table.indexOf('And what the monitor says about itself'))).flatMap(([verdict]) => codesOf(verdict ?? ''));
    expect(named.sort()).toEqual([...VERDICTS].sort());
  });
});
