// The ranges left for later runs: what a run could not settle is kept whole (nothing lost), cut into pieces a later
// run can finish when this one ran out of time on it.
import fc from 'fast-check';
import { type PlannedRange, pieceRows, planRead, remainingRanges, windowEdge } from '../../lib/read/plan';
import { emptyState, type MonitorState } from '../../lib/state/schema';
import { MAX_PAGE_SIZE, WINDOW_EDGE_MARGIN_MS } from '../../lib/vod/params';
import { QUERY_WINDOW_MS } from '../../lib/vod/time';

const S = 1000;
const MIN = 60_000;
const HOUR = 60 * MIN;
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
        else expect([2 * MAX_PAGE_SIZE, max]).toContain(rows);
        expect(pieceRows(pages + 30, max)).toBeGreaterThanOrEqual(rows);
      }),
    );
  });

  it('a run that read 30 pages leaves pieces of 500 rows (a third of its 1,500)', () => {
    expect(pieceRows(30, 2000)).toBe(500);
    expect(pieceRows(30, 400)).toBe(400);
    expect(pieceRows(3, 2000)).toBe(2 * MAX_PAGE_SIZE);
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

  it('never cuts below a minute a piece: a 3-minute range of 10,000 rows leaves 3 pieces, each an API query (end after start)', () => {
    const r: PlannedRange = { startMs: T0, endMs: T0 + 3 * MIN, isNew: false };
    const left = remainingRanges([r], new Set(), new Map([[r, 10_000]]), T0 - MIN, 100);
    expect(left).toHaveLength(3);
    expect(seconds(left)).toEqual(seconds([r]));
    for (const p of left) expect(p.endMs - p.startMs).toBeGreaterThanOrEqual(MIN - S);
    // shorter than a minute: kept whole
    const short: PlannedRange = { startMs: T0, endMs: T0 + 30 * S, isNew: false };
    expect(remainingRanges([short], new Set(), new Map([[short, 10_000]]), T0 - MIN, 100)).toEqual([{ startMs: T0, endMs: T0 + 30 * S, cutShort: 0 }]);
  });

  it("the last piece ends where the range does, where the pieces' float arithmetic falls short of it", () => {
    // 459 s in 7 steps of 65.57… s: 7 steps add up to a hair under 459 s
    const r: PlannedRange = { startMs: 0, endMs: 459 * S, isNew: false };
    const left = remainingRanges([r], new Set(), new Map([[r, 3500]]), -MIN, 500);
    expect(left).toHaveLength(7);
    expect(left.at(-1)!.endMs).toBe(459 * S);
    expect(seconds(left)).toEqual(seconds([r]));
  });

  it('a range of exactly as many rows as the run read is kept whole, once', () => {
    const r: PlannedRange = { startMs: T0, endMs: T0 + 20 * MIN, isNew: false };
    expect(remainingRanges([r], new Set(), new Map([[r, 650]]), T0 - MIN, 200, 650)).toEqual([{ startMs: T0, endMs: r.endMs, cutShort: 1 }]);
  });

  it('ranges that overlap, even by their last second, are merged, and the merged one keeps the most times cut short', () => {
    const a: PlannedRange = { startMs: T0, endMs: T0 + 10 * MIN, isNew: false, cutShort: 0 };
    const b: PlannedRange = { startMs: T0 + 10 * MIN, endMs: T0 + 20 * MIN, isNew: false, cutShort: 1 };
    const c: PlannedRange = { startMs: T0 + 20 * MIN + S, endMs: T0 + 30 * MIN, isNew: false, cutShort: 0 };
    expect(remainingRanges([c, b, a], new Set(), new Map(), T0 - MIN)).toEqual([
      { startMs: T0, endMs: T0 + 20 * MIN, cutShort: 1 },
      { startMs: T0 + 20 * MIN + S, endMs: T0 + 30 * MIN, cutShort: 0 },
    ]);
  });

  it('a range that ended at the 3-day edge, or before it, is gone (the API no longer lists it)', () => {
    const at: PlannedRange = { startMs: T0 - HOUR, endMs: T0, isNew: false };
    const before: PlannedRange = { startMs: T0 - 2 * HOUR, endMs: T0 - HOUR, isNew: false };
    expect(remainingRanges([at, before], new Set(), new Map(), T0)).toEqual([]);
    expect(remainingRanges([at, before], new Set(), new Map([[at, 5000]]), T0)).toEqual([]);
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

describe('windowEdge: the oldest start the API accepts, with a margin, on a whole second', () => {
  it('is 3 days back plus the margin, rounded up to the second', () => {
    expect(windowEdge(T0)).toBe(T0 - QUERY_WINDOW_MS + WINDOW_EDGE_MARGIN_MS);
    expect(windowEdge(T0 + 1)).toBe(T0 - QUERY_WINDOW_MS + WINDOW_EDGE_MARGIN_MS + S);
    expect(windowEdge(T0 + 999)).toBe(T0 - QUERY_WINDOW_MS + WINDOW_EDGE_MARGIN_MS + S);
    expect(windowEdge(T0 + 1000)).toBe(T0 - QUERY_WINDOW_MS + WINDOW_EDGE_MARGIN_MS + S);
  });
});

describe('planRead: what a run reads', () => {
  const NOW = T0 + 500; // the API's clock, not on a second
  const END = T0 - S; // a second before now, on the second
  const EDGE = windowEdge(NOW);
  const input = { apiNowMs: NOW, overlapMs: 2 * MIN, firstRunLookbackMs: 60 * MIN };
  const settled = (over: Partial<MonitorState> = {}): MonitorState => ({ ...emptyState(0), scanned: true, frontierMs: T0 - 10 * MIN, ...over });
  const watched = (createdAtMs: number) => ({
    task: {
      taskId: '1',
      objectPath: 'http://v.example.com/a',
      objectType: 'file',
      status: 'Refreshing',
      description: null,
      creationTime: null,
      domain: 'v.example.com',
    },
    createdAtMs,
    firstSeenMs: 0,
    checkedAtMs: 0,
    stuckAtMs: null,
  });

  it('a first run reads the whole window in one range, listing only the lookback', () => {
    expect(planRead(emptyState(0), input)).toEqual({
      firstRun: true,
      ranges: [{ startMs: EDGE, endMs: END, isNew: true, listSinceMs: END - 60 * MIN }],
      frontierMs: END,
      backlogBeforeMs: END - 60 * MIN,
      widenTo: null,
      olderWatched: [],
    });
  });

  it('a lookback as long as the window lists from a second after its edge', () => {
    const p = planRead(emptyState(0), { ...input, firstRunLookbackMs: QUERY_WINDOW_MS });
    expect(p.backlogBeforeMs).toBe(EDGE + S);
    expect(p.ranges[0]!.listSinceMs).toBe(EDGE + S);
  });

  it('a first run that read part of the window goes on from where it stopped, with the same listing rule', () => {
    const state = settled({
      scanned: false,
      frontierMs: T0 - 30 * MIN,
      backlogBeforeMs: T0 - 90 * MIN,
      pendingRanges: [
        { startMs: EDGE - HOUR, endMs: T0 - 2 * HOUR, cutShort: 0 },
        { startMs: T0 - 2 * HOUR + S, endMs: T0 - HOUR, cutShort: 1 },
      ],
    });
    expect(planRead(state, input)).toEqual({
      firstRun: true,
      ranges: [
        { startMs: T0 - 32 * MIN, endMs: END, isNew: true, listSinceMs: T0 - 90 * MIN },
        { startMs: T0 - 2 * HOUR + S, endMs: T0 - HOUR, cutShort: 1, isNew: false, listSinceMs: T0 - 90 * MIN },
        { startMs: EDGE, endMs: T0 - 2 * HOUR, cutShort: 0, isNew: false, listSinceMs: T0 - 90 * MIN },
      ],
      frontierMs: END,
      backlogBeforeMs: T0 - 90 * MIN,
      widenTo: null,
      olderWatched: [],
    });
  });

  it.each([
    ['no frontier', { frontierMs: null }],
    ['no listing rule', { backlogBeforeMs: null }],
    ['nothing left inside the window', { pendingRanges: [{ startMs: EDGE - 2 * HOUR, endMs: EDGE, cutShort: 0 }] }],
  ])('a first run with %s starts over', (_, over) => {
    const state = settled({
      scanned: false,
      frontierMs: T0 - 30 * MIN,
      backlogBeforeMs: T0 - 90 * MIN,
      pendingRanges: [{ startMs: T0 - 3 * HOUR, endMs: T0 - 2 * HOUR, cutShort: 0 }],
      ...over,
    });
    expect(planRead(state, input).ranges).toEqual([{ startMs: EDGE, endMs: END, isNew: true, listSinceMs: END - 60 * MIN }]);
  });

  it('a first run goes on when any range it left is still inside the window (those gone are left out)', () => {
    const state = settled({
      scanned: false,
      frontierMs: T0 - 30 * MIN,
      backlogBeforeMs: T0 - 90 * MIN,
      pendingRanges: [
        { startMs: EDGE - 3 * HOUR, endMs: EDGE - HOUR, cutShort: 0 },
        { startMs: T0 - 2 * HOUR, endMs: T0 - HOUR, cutShort: 0 },
      ],
    });
    const p = planRead(state, input);
    expect(p.firstRun).toBe(true);
    expect(p.ranges.map((r) => [r.startMs, r.endMs])).toEqual([
      [T0 - 32 * MIN, END],
      [T0 - 2 * HOUR, T0 - HOUR],
    ]);
  });

  it('a later run leaves out what earlier runs left that is no longer inside the window', () => {
    const state = settled({ pendingRanges: [{ startMs: EDGE - 3 * HOUR, endMs: EDGE - HOUR, cutShort: 0 }] });
    expect(planRead(state, input).ranges).toEqual([{ startMs: T0 - 12 * MIN, endMs: END, isNew: true }]);
  });

  it('a later run reads from its frontier less the overlap, then what earlier runs left, newest first', () => {
    const state = settled({
      pendingRanges: [
        { startMs: T0 - 5 * HOUR, endMs: T0 - 4 * HOUR, cutShort: 0 },
        { startMs: T0 - 3 * HOUR, endMs: T0 - 2 * HOUR, cutShort: 2 },
      ],
    });
    expect(planRead(state, input)).toEqual({
      firstRun: false,
      ranges: [
        { startMs: T0 - 12 * MIN, endMs: END, isNew: true },
        { startMs: T0 - 3 * HOUR, endMs: T0 - 2 * HOUR, cutShort: 2, isNew: false },
        { startMs: T0 - 5 * HOUR, endMs: T0 - 4 * HOUR, cutShort: 0, isNew: false },
      ],
      frontierMs: END,
      backlogBeforeMs: null,
      widenTo: null,
      olderWatched: [],
    });
  });

  it('a frontier ahead of this clock: the new range still ends now and starts an overlap before it', () => {
    const p = planRead(settled({ frontierMs: T0 + HOUR }), input);
    expect(p.ranges).toEqual([{ startMs: END - S - 2 * MIN, endMs: END, isNew: true }]);
  });

  it('never below the window edge, nor below the delivered keys kept; a frontier past the edge is clamped', () => {
    expect(planRead(settled({ frontierMs: EDGE - HOUR }), input).ranges[0]!.startMs).toBe(EDGE);
    expect(planRead(settled({ reportedFloorMs: T0 - 5 * MIN }), input).ranges[0]!.startMs).toBe(T0 - 5 * MIN);
    expect(planRead(settled({ frontierMs: null }), input).ranges[0]!.startMs).toBe(EDGE);
    const left = settled({ pendingRanges: [{ startMs: EDGE - HOUR, endMs: EDGE + HOUR, cutShort: 0 }] });
    expect(planRead(left, input).ranges[1]).toEqual({ startMs: EDGE, endMs: EDGE + HOUR, cutShort: 0, isNew: false });
  });

  it("a first run's listing rule holds for the pieces it left to later runs", () => {
    const state = settled({ backlogBeforeMs: T0 - 90 * MIN, pendingRanges: [{ startMs: T0 - 3 * HOUR, endMs: T0 - 2 * HOUR, cutShort: 0 }] });
    const p = planRead(state, input);
    expect(p.ranges.map((r) => r.listSinceMs)).toEqual([T0 - 90 * MIN, T0 - 90 * MIN]);
    expect(p.backlogBeforeMs).toBe(T0 - 90 * MIN);
  });

  describe('the widened start that covers the watched rows, in one page', () => {
    const w = { a: watched(T0 - 3 * HOUR), b: watched(T0 - 2 * HOUR), c: watched(T0 - 5 * MIN) };

    it('from a second before the oldest watched row, when few rows are expected there', () => {
      const p = planRead(settled({ watching: w, rowsPerMinute: 0.1 }), input);
      expect(p.widenTo).toBe(T0 - 3 * HOUR - S);
      expect(p.olderWatched).toEqual(['a', 'b']);
    });

    it('not when more rows are expected than a page holds (exactly a page is still one)', () => {
      const span = (T0 - 12 * MIN - (T0 - 3 * HOUR - S)) / MIN;
      expect(planRead(settled({ watching: w, rowsPerMinute: MAX_PAGE_SIZE / span }), input).widenTo).toBe(T0 - 3 * HOUR - S);
      expect(planRead(settled({ watching: w, rowsPerMinute: (MAX_PAGE_SIZE + 1) / span }), input).widenTo).toBeNull();
      // the rate not known yet counts as none
      expect(planRead(settled({ watching: w, rowsPerMinute: null }), input).widenTo).toBe(T0 - 3 * HOUR - S);
    });

    it('not from the start a widened read already gave up on, nor below the delivered keys kept', () => {
      expect(planRead(settled({ watching: w, wideGaveUpFromMs: T0 - 3 * HOUR - S }), input).widenTo).toBeNull();
      expect(planRead(settled({ watching: w, reportedFloorMs: T0 - 3 * HOUR }), input).widenTo).toBeNull();
      expect(planRead(settled({ watching: w, reportedFloorMs: T0 - 3 * HOUR - S }), input).widenTo).toBe(T0 - 3 * HOUR - S);
    });

    it('not below the window edge', () => {
      const p = planRead(settled({ watching: { old: watched(EDGE - HOUR) } }), input);
      expect(p.widenTo).toBe(EDGE);
    });

    it('not on a first run, nor when older ranges are read anyway, nor with no watched row before the new range', () => {
      expect(planRead({ ...emptyState(0), watching: w }, input).widenTo).toBeNull();
      const pending = settled({ watching: w, pendingRanges: [{ startMs: T0 - 5 * HOUR, endMs: T0 - 4 * HOUR, cutShort: 0 }] });
      expect(planRead(pending, input)).toMatchObject({ widenTo: null, olderWatched: ['a', 'b'] });
      const p = planRead(settled({ watching: { c: w.c, d: watched(T0 - 12 * MIN) } }), input);
      expect(p).toMatchObject({ widenTo: null, olderWatched: [] });
      // nothing watched at all, whatever the rate
      expect(planRead(settled({ rowsPerMinute: 2 }), input)).toMatchObject({ widenTo: null, olderWatched: [] });
    });
  });
});
