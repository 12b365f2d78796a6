import fc from 'fast-check';
import { type Coverage, checkedTo, extend } from '../../lib/decide/coverage';

const S = 1000;
const cov = (fromMs: number, toMs: number): Coverage => ({ fromMs, toMs });

describe("checkedTo: a failed URL's own check, carried on by the coverage it reaches", () => {
  it('no coverage: its own check', () => {
    expect(checkedTo({ checkedToMs: 50 * S }, null)).toBe(50 * S);
  });

  it('a check that reaches the coverage (within a second) is carried to its end', () => {
    const c = cov(100 * S, 200 * S);
    expect(checkedTo({ checkedToMs: 150 * S }, c)).toBe(200 * S);
    expect(checkedTo({ checkedToMs: 100 * S }, c)).toBe(200 * S);
    expect(checkedTo({ checkedToMs: 99 * S }, c)).toBe(200 * S);
  });

  it('a check that stops more than a second before the coverage is not: what lies between was never read', () => {
    expect(checkedTo({ checkedToMs: 99 * S - 1 }, cov(100 * S, 200 * S))).toBe(99 * S - 1);
  });

  it('a check past the coverage keeps its own end', () => {
    expect(checkedTo({ checkedToMs: 300 * S }, cov(100 * S, 200 * S))).toBe(300 * S);
  });

  it('(property) never earlier than its own check, and never past both its own check and the coverage', () => {
    fc.assert(
      fc.property(fc.nat(100), fc.nat(100), fc.nat(100), (own, from, len) => {
        const c = cov(from * S, (from + len) * S);
        const to = checkedTo({ checkedToMs: own * S }, c);
        expect(to).toBeGreaterThanOrEqual(own * S);
        expect(to).toBe(own * S + S < c.fromMs ? own * S : Math.max(own * S, c.toMs));
      }),
    );
  });
});

describe('extend: the coverage after a whole read', () => {
  it('the first whole read is the coverage', () => {
    expect(extend(null, 10 * S, 20 * S)).toEqual({ coverage: cov(10 * S, 20 * S), materialize: null });
  });

  it.each([
    ['right after it', 200 * S, 300 * S, cov(100 * S, 300 * S)],
    ['a second after its end', 201 * S, 300 * S, cov(100 * S, 300 * S)],
    ['right before it', 50 * S, 100 * S, cov(50 * S, 200 * S)],
    ['a second before its start', 50 * S, 99 * S, cov(50 * S, 200 * S)],
    ['inside it', 120 * S, 180 * S, cov(100 * S, 200 * S)],
    ['around it', 50 * S, 250 * S, cov(50 * S, 250 * S)],
  ])('a read that touches it (%s) joins it', (_, from, to, joined) => {
    expect(extend(cov(100 * S, 200 * S), from, to)).toEqual({ coverage: joined, materialize: null });
  });

  it.each([
    ['more than a second after it', 201 * S + 1, 300 * S],
    ['more than a second before it', 50 * S, 99 * S - 1],
  ])('a read %s starts a new one, and the old is handed to the URLs', (_, from, to) => {
    const old = cov(100 * S, 200 * S);
    expect(extend(old, from, to)).toEqual({ coverage: cov(from, to), materialize: old });
  });

  it('(property) a URL checked up to the old coverage stays checked at least that far after any extension', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), fc.nat(1000), fc.nat(1000), fc.nat(1000), (own, a, b, c, d) => {
        const old = cov(a * S, (a + b) * S);
        const f = { checkedToMs: own * S };
        const before = checkedTo(f, old);
        const { coverage, materialize } = extend(old, c * S, (c + d) * S);
        // what the URLs take in first, then the new coverage on top: never less than before
        const taken = materialize === null ? f : { checkedToMs: checkedTo(f, materialize) };
        expect(checkedTo(taken, coverage)).toBeGreaterThanOrEqual(before);
      }),
    );
  });
});
