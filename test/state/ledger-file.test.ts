// The ledger part's file format: what it writes reads back the same, and a file that is not whole (empty, cut short
// at any line, added to after its count) is a corrupt state, never a smaller ledger.
import fc from 'fast-check';
import { StateError } from '../../lib/state/errors';
import { LEDGER_FIELDS, LedgerParser, type LedgerPart, ledgerLines } from '../../lib/state/ledger-file';

const FILE = '/mnt/state/state.json.ledger.json';
const dict = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.oneof(fc.integer(), fc.string(), fc.constant(null)), { maxKeys: 8 });
const part = fc.record(Object.fromEntries(LEDGER_FIELDS.map((f) => [f, dict]))) as unknown as fc.Arbitrary<LedgerPart>;

const linesOf = (p: LedgerPart) => [...ledgerLines(p, 1)].join('').split('\n');
function parse(lines: readonly string[]) {
  const parser = new LedgerParser(FILE);
  for (const l of lines) parser.line(l);
  return parser.end();
}
const plain = (o: Record<string, Record<string, unknown>>) => JSON.parse(JSON.stringify(o)) as unknown;

describe('the ledger file', () => {
  it('reads back exactly what it wrote', () => {
    fc.assert(fc.property(part, (p) => expect(plain(parse(linesOf(p)))).toEqual(plain(p))));
  });

  it('is refused when cut short at any line, never read as fewer entries', () => {
    fc.assert(
      fc.property(part, fc.nat(), (p, cut) => {
        const lines = linesOf(p).filter((l) => l !== '');
        const kept = lines.slice(0, cut % lines.length);
        expect(() => parse(kept)).toThrow(StateError);
      }),
    );
  });

  it('is refused when empty, with the file named', () => {
    expect(() => parse([])).toThrow(/state\.json\.ledger\.json\) is empty/);
    expect(() => parse([''])).toThrow(/does not begin with its header/);
  });

  it('is refused when lines follow its count, or the count is not what it holds', () => {
    const p = { reported: { a: 1 }, heldKeys: {}, watching: {}, failedPaths: {}, recoveredPaths: {} } as unknown as LedgerPart;
    const lines = linesOf(p);
    expect(() => parse([...lines, '["reported","b",2]'])).toThrow(/goes on after its count/);
    expect(() => parse([lines[0]!, '{"end":2}'])).toThrow(/counts 2 entries but holds 0/);
  });

  it('still reads a ledger written before the count existed (version 1)', () => {
    expect(plain(parse(['{"ledger":1}', '["watching","k",{"a":1}]']))).toMatchObject({ watching: { k: { a: 1 } } });
  });

  it('keeps a key named __proto__ as an entry', () => {
    const p = { reported: {}, heldKeys: {}, watching: {}, failedPaths: JSON.parse('{"__proto__":5}'), recoveredPaths: {} } as LedgerPart;
    const read = parse(linesOf(p));
    expect(Object.keys(read.failedPaths!)).toEqual(['__proto__']);
  });
});
