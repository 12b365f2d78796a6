// What a state read again takes from the copy that bridged an outage (lib/state/bridge.ts): properties over any two
// ledgers of delivered keys and any two outboxes.
import fc from 'fast-check';
import { withBridge } from '../../lib/state/bridge';
import { emptyState, RUNS_KEPT } from '../../lib/state/schema';

const T0 = Date.parse('2026-12-03T10:00:00Z');
const keys = fc.dictionary(fc.constantFrom('failed:1/a', 'failed:2/b', 'stuck:3/c', '__proto__', 'failed:4/d'), fc.integer({ min: 1, max: 1e6 }));
const notice = (key: string) => ({ event: { kind: 'notice' as const, key, code: 'c', message: 'm' }, queuedAtMs: T0, uncertain: 0, refusals: 0 });
const outbox = fc.uniqueArray(fc.constantFrom('n:1', 'n:2', 'n:3', 'failed:1/a'), { maxLength: 4 }).map((ks) => ks.map(notice));
const run = (atMs: number) => ({ atMs, durationMs: 1, status: 'ok', apiCalls: 1, newFailures: 0, pendingAlerts: 0, readComplete: true });

describe('a state read again, with the copy that bridged its outage', () => {
  it('keeps every delivered key of both, each with its later expiry, and no other', () => {
    fc.assert(
      fc.property(keys, keys, (a, b) => {
        const merged = withBridge({ ...emptyState(T0), reported: a }, { ...emptyState(T0), reported: b }).reported;
        expect(Object.keys(merged).sort()).toEqual([...new Set([...Object.keys(a), ...Object.keys(b)])].sort());
        const own = (d: Record<string, number>, k: string) => (Object.hasOwn(d, k) ? d[k]! : 0);
        for (const k of Object.keys(merged)) expect(merged[k]).toBe(Math.max(own(a, k), own(b, k)));
      }),
    );
  });

  it("keeps the real outbox first, less what the bridge delivered, then the bridge's alerts neither holds nor delivered, each once", () => {
    fc.assert(
      fc.property(outbox, outbox, keys, keys, (real, bridge, reported, bridgeReported) => {
        const merged = withBridge({ ...emptyState(T0), outbox: real, reported }, { ...emptyState(T0), outbox: bridge, reported: bridgeReported }).outbox.map(
          (o) => o.event.key,
        );
        const kept = real.map((o) => o.event.key).filter((k) => !Object.hasOwn(bridgeReported, k));
        expect(merged.slice(0, kept.length)).toEqual(kept);
        expect(new Set(merged).size).toBe(merged.length);
        for (const k of merged) expect(Object.hasOwn(bridgeReported, k) && !kept.includes(k)).toBe(false);
        for (const o of bridge) if (!Object.hasOwn(reported, o.event.key) && !Object.hasOwn(bridgeReported, o.event.key)) expect(merged).toContain(o.event.key);
      }),
    );
  });

  it("adds the bridge's later runs, the newest kept, and its outage so that its end is told", () => {
    const real = { ...emptyState(T0), runs: [run(T0), run(T0 + 1)] };
    const io = { sinceMs: T0 + 2, op: 'read' as const, file: '/mnt/state.json', errno: 'EIO' };
    const bridge = { ...emptyState(T0), runs: Array.from({ length: RUNS_KEPT }, (_, i) => run(T0 + 1 + i)), stateIo: io };
    const merged = withBridge(real, bridge);
    expect(merged.runs).toHaveLength(RUNS_KEPT);
    expect(merged.runs.at(-1)!.atMs).toBe(T0 + RUNS_KEPT);
    expect(new Set(merged.runs.map((r) => r.atMs)).size).toBe(RUNS_KEPT);
    expect(merged.stateIo).toEqual(io);
  });
});
