// The ranges left for later runs: what a run could not settle is kept whole (nothing lost), cut into pieces a later
// run can finish when this one ran out of time on it.
import fc from 'fast-check';
import { type PlannedRange, pieceRows, remainingRanges } from '../../lib/read/plan';
import { MAX_PAGE_SIZE } from '../../lib/vod/params';

const S = 1000;
const MIN = 60_000;
const T0 = Date.parse('2026-11-25T00:00:00Z');

/** Every whole second the ranges cover. */
function seconds(ranges: ReadonlyArray<{ startMs: number; endMs: number }>): Set<number> {
  const out = new Set<number>();
  for (const r of ranges) for (let t = r.startMs; t <= r.endMs; t += S) out.add(t);
  return out;
}

describe('pieceRows', () => {
  it('is a third of what the run read, between two pages and the whole-read size (property)', () => {
    fc.assert(
      fc.property(fc.nat(10_000), fc.integer({ min: 2 * MAX_PAGE_SIZE, max: 5000 }), (pages, max) => {
        const rows = pieceRows(pages, max);
        expect(rows).toBeGreaterThanOrEqual(2 * MAX_PAGE_SIZE);
        expect(rows).toBeLessThanOrEqual(max);
        if (rows > 2 * MAX_PAGE_SIZE && rows < max) expect(Math.abs(rows - (pages * MAX_PAGE_SIZE) / 3)).toBeLessThan(1);
        expect(pieceRows(pages + 30, max)).toBeGreaterThanOrEqual(rows);
      }),
    );
  });
});

describe('remainingRanges', () => {
  const arb = fc
    .array(
      fc.record({
        start: fc.integer({ min: 0, max: 3 * 24 * 60 }),
        minutes: fc.integer({ min: 1, max: 600 }),
        cut: fc.boolean(),
        rows: fc.option(fc.nat(50_000)),
      }),
      {
        minLength: 1,
        maxLength: 6,
      },
    )
    .map((xs) =>
      xs.map((x) => ({
        range: { startMs: T0 + x.start * MIN, endMs: T0 + (x.start + x.minutes) * MIN, isNew: false } as PlannedRange,
        cut: x.cut,
        rows: x.rows,
      })),
    );

  it('keeps every second of the unsettled ranges, no more; pieces are sorted and disjoint (property)', () => {
    fc.assert(
      fc.property(arb, fc.integer({ min: 100, max: 500 }), (xs, perPiece) => {
        const planned = xs.map((x) => x.range);
        const outOfTime = new Map(xs.filter((x) => x.cut).map((x) => [x.range, x.rows] as const));
        const left = remainingRanges(planned, new Set(), outOfTime, T0 - MIN, perPiece);
        expect(seconds(left)).toEqual(seconds(planned));
        for (let i = 1; i < left.length; i++) expect(left[i]!.startMs).toBeGreaterThan(left[i - 1]!.endMs);
      }),
      { numRuns: 60 },
    );
  });

  it('cuts a range the run ran out of time on into pieces of about `rowsPerPiece` rows', () => {
    const r: PlannedRange = { startMs: T0, endMs: T0 + 180 * MIN, isNew: false };
    const left = remainingRanges([r], new Set(), new Map([[r, 10_800]]), T0 - MIN, 500);
    expect(left).toHaveLength(22);
    expect(seconds(left)).toEqual(seconds([r]));
    expect(remainingRanges([r], new Set(), new Map([[r, 10_800]]), T0 - MIN, 250)).toHaveLength(32);
    expect(remainingRanges([r], new Set(), new Map(), T0 - MIN, 500)).toEqual([{ startMs: r.startMs, endMs: r.endMs, cutShort: 0 }]);
  });

  it.each([
    // [rows in the range, rows the run read, times cut short before, pieces left]
    [350, 650, 0, 1], // started late by a run that could have read it: kept whole, once
    [350, 650, 1, 2], // cut short again: cut
    [350, 200, 0, 2], // more than the run read: cut at once
    [null, 650, 0, 2], // its size unknown: cut in two
  ])('a range of %s rows out of time in a run that read %s rows (cut short %s times before) leaves %s piece(s)', (rows, runRows, before, pieces) => {
    const r: PlannedRange = { startMs: T0, endMs: T0 + 20 * MIN, isNew: false, cutShort: before };
    const left = remainingRanges([r], new Set(), new Map([[r, rows]]), T0 - MIN, 200, runRows);
    expect(left).toHaveLength(pieces);
    expect(seconds(left)).toEqual(seconds([r]));
    if (pieces === 1) expect(left[0]!.cutShort).toBe(1);
    else expect(left.every((p) => p.cutShort === 0)).toBe(true);
  });

  it('drops what a settled range covers and what left the 3-day window', () => {
    const a: PlannedRange = { startMs: T0, endMs: T0 + 60 * MIN, isNew: false };
    const b: PlannedRange = { startMs: T0 + 120 * MIN, endMs: T0 + 180 * MIN, isNew: false };
    expect(remainingRanges([a, b], new Set([a]), new Map(), T0 - MIN)).toEqual([{ startMs: b.startMs, endMs: b.endMs, cutShort: 0 }]);
    expect(remainingRanges([a, b], new Set(), new Map(), T0 + 30 * MIN)).toEqual([
      { startMs: T0 + 30 * MIN, endMs: a.endMs, cutShort: 0 },
      { startMs: b.startMs, endMs: b.endMs, cutShort: 0 },
    ]);
  });
});
