// Delivered keys are what keeps a failure from a second alert, and they cannot all be kept through an outage of
// hundreds of thousands of failures: only the keys of rows no later read can meet again are let go.
import fc from 'fast-check';
import { MAX_REPORTED_KEPT, pruneReported, readAgainFromMs } from '../../lib/decide/retention';
import { KEY_TTL_MS } from '../../lib/events/keys';
import { emptyState, type MonitorState } from '../../lib/state/schema';

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = Date.parse('2026-11-28T12:00:00Z');

describe('pruneReported', () => {
  const stateArb = fc
    .record({
      frontierAgo: fc.integer({ min: 0, max: 48 * 60 }),
      pending: fc.array(fc.integer({ min: 0, max: 70 * 60 }), { maxLength: 3 }),
      keys: fc.array(
        fc.record({ createdAgo: fc.integer({ min: 0, max: 72 * 60 }), kind: fc.constantFrom('failed', 'stuck', 'notice'), followed: fc.boolean() }),
        {
          maxLength: 40,
        },
      ),
      extra: fc.integer({ min: 0, max: 2 }),
    })
    .map(({ frontierAgo, pending, keys, extra }) => {
      const reported: Record<string, number> = {};
      const failedPaths: MonitorState['failedPaths'] = {};
      keys.forEach((k, i) => {
        const key = `${k.kind}:${1000 + i}/k${i}`;
        reported[key] = NOW - k.createdAgo * MIN + KEY_TTL_MS;
        if (k.kind === 'failed' && k.followed)
          failedPaths[`http://v.example.com/${i}.mp4`] = {
            key: `${1000 + i}/k${i}`,
            taskId: String(1000 + i),
            objectType: 'file',
            createdAtMs: NOW - k.createdAgo * MIN,
            description: 'Origin Timeout',
            checkedToMs: NOW,
          };
      });
      // Filler keys of rows from 70 hours ago, so that the cap is passed (or not).
      for (let i = 0; i < MAX_REPORTED_KEPT - 1 + extra; i++) reported[`failed:9${i}/f`] = NOW - 70 * HOUR + KEY_TTL_MS;
      const state: MonitorState = {
        ...emptyState(NOW),
        scanned: true,
        frontierMs: NOW - frontierAgo * MIN,
        pendingRanges: pending.map((ago) => ({ startMs: NOW - ago * MIN, endMs: NOW - ago * MIN + 10 * MIN, cutShort: 0 })),
        reported,
        failedPaths,
      };
      return state;
    });

  it('never lets go a key a later read could meet, a followed failure, or a key that is not a failure (property)', () => {
    fc.assert(
      fc.property(stateArb, (state) => {
        const { state: after, pruned } = pruneReported(state);
        const floor = readAgainFromMs(state)!;
        const followed = new Set(Object.values(state.failedPaths).map((f) => `failed:${f.key}`));
        // One expect for the 50,000 keys, not one each: a lost key is named all the same.
        const lost = Object.entries(state.reported).filter(
          ([key, expiry]) => (!key.startsWith('failed:') || expiry - KEY_TTL_MS >= floor || followed.has(key)) && after.reported[key] !== expiry,
        );
        expect(lost).toEqual([]);
        if (Object.keys(state.reported).length <= MAX_REPORTED_KEPT) expect(pruned).toBe(0);
        else expect(Object.keys(after.reported).length).toBe(Object.keys(state.reported).length - pruned);
        if (pruned > 0) expect(after.reportedFloorMs).toBe(floor);
      }),
      { numRuns: 15 },
    );
  });

  it('keeps everything before a range was ever settled (a first run reads the whole window)', () => {
    const reported = Object.fromEntries(Array.from({ length: MAX_REPORTED_KEPT + 10 }, (_, i) => [`failed:${i}/x`, NOW - 70 * HOUR + KEY_TTL_MS]));
    const state = { ...emptyState(NOW), scanned: false, frontierMs: NOW, reported };
    expect(pruneReported(state).pruned).toBe(0);
  });
});

describe('what pruning lets go, and the floor it leaves', () => {
  const HOUR = 60 * MIN;
  const fill = (n: number, createdMs: number, prefix = 'failed:') =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i} http://v.example.com/${i}`, createdMs + KEY_TTL_MS]));
  const scanned = (over: Partial<MonitorState> = {}): MonitorState => ({ ...emptyState(0), scanned: true, frontierMs: NOW, ...over });

  it('readAgainFromMs: the frontier less the widest overlap, or an older pending range, less a minute; null before a scan', () => {
    expect(readAgainFromMs(scanned())).toBe(NOW - HOUR - MIN);
    expect(readAgainFromMs(scanned({ pendingRanges: [{ startMs: NOW - 5 * HOUR, endMs: NOW - 4 * HOUR, cutShort: 0 }] }))).toBe(NOW - 5 * HOUR - MIN);
    expect(readAgainFromMs(scanned({ pendingRanges: [{ startMs: NOW - 10 * MIN, endMs: NOW, cutShort: 0 }] }))).toBe(NOW - HOUR - MIN);
    expect(readAgainFromMs(scanned({ scanned: false }))).toBeNull();
    expect(readAgainFromMs(scanned({ frontierMs: null }))).toBeNull();
  });

  it(`over ${MAX_REPORTED_KEPT} keys, lets go the failures no read meets again, and raises the floor to that line`, () => {
    const old = fill(MAX_REPORTED_KEPT, NOW - 10 * HOUR);
    const line = {
      'failed:line http://v.example.com/l': NOW - HOUR - MIN + KEY_TTL_MS,
      'failed:under http://v.example.com/u': NOW - HOUR - MIN - 1 + KEY_TTL_MS,
    };
    const s = scanned({ reported: { ...old, ...line, 'stuck:1 http://v.example.com/1': NOW - 10 * HOUR + KEY_TTL_MS } });
    const { state, pruned } = pruneReported(s);
    expect(pruned).toBe(MAX_REPORTED_KEPT + 1);
    expect(Object.keys(state.reported).sort()).toEqual(['failed:line http://v.example.com/l', 'stuck:1 http://v.example.com/1']);
    expect(state.reportedFloorMs).toBe(NOW - HOUR - MIN);
    // a floor already higher stays
    expect(pruneReported({ ...s, reportedFloorMs: NOW }).state.reportedFloorMs).toBe(NOW);
  });

  it(`at ${MAX_REPORTED_KEPT} keys, or with nothing to let go, the very same state`, () => {
    const at = scanned({ reported: fill(MAX_REPORTED_KEPT, NOW - 10 * HOUR) });
    expect(pruneReported(at)).toEqual({ state: at, pruned: 0 });
    expect(pruneReported(at).state).toBe(at);
    const recent = scanned({ reported: fill(MAX_REPORTED_KEPT + 1, NOW - 10 * MIN) });
    expect(pruneReported(recent).state).toBe(recent);
  });
});
