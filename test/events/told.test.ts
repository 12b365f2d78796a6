import fc from 'fast-check';
import { KEY_TTL_MS } from '../../lib/events/keys';
import type { AlertEvent } from '../../lib/events/schema';
import { FORGET_BATCH_MS, forgetExpired, letGo, tell } from '../../lib/events/told';
import { record } from '../../lib/monitor/outbox';
import { emptyState, type MonitorState } from '../../lib/state/schema';
import { formatApiTime, QUERY_WINDOW_MS } from '../../lib/vod/time';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-28T12:00:00Z');

const failedAt = (createdMs: number | null): AlertEvent => ({
  kind: 'failed',
  key: 'failed:7001 http://v.example.com/a.mp4',
  task: {
    taskId: '7001',
    objectPath: 'http://v.example.com/a.mp4',
    objectType: 'file',
    status: 'Failed',
    description: 'Origin Timeout',
    creationTime: createdMs === null ? null : formatApiTime(createdMs),
    domain: 'v.example.com',
  },
});
const nothing = { delivered: new Set<string>(), uncertain: new Set<string>(), refused: new Map<string, string>(), recentSends: {} };
const deliveredAt = (event: AlertEvent, nowMs: number): MonitorState =>
  record({ ...emptyState(0), outbox: [{ event, queuedAtMs: 0, uncertain: 0, refusals: 0 }] }, { ...nothing, delivered: new Set([event.key]) }, nowMs).state;

describe('the notification log has one writer, and changes only when something changes', () => {
  it('tell records new keys, keeps the later expiry of a key told twice, and leaves the given log untouched', () => {
    const log = { a: 100, b: 200 };
    const next = tell(log, [
      ['a', 50],
      ['b', 300],
      ['c', 10],
    ]);
    expect(next).toEqual({ a: 100, b: 300, c: 10 });
    expect(log).toEqual({ a: 100, b: 200 });
  });

  it('tell of nothing new (or of an earlier or equal expiry) returns the very same log', () => {
    const log = { a: 100 };
    expect(tell(log, [])).toBe(log);
    expect(tell(log, [['a', 100]])).toBe(log);
    expect(tell(log, [['a', 99]])).toBe(log);
  });

  it('tell of one key twice in one batch keeps the later of the two', () => {
    expect(
      tell({}, [
        ['a', 200],
        ['a', 100],
      ]),
    ).toEqual({ a: 200 });
  });

  it('forgetExpired forgets nothing until one key has been expired FORGET_BATCH_MS, then every expired key', () => {
    const now = 10 * FORGET_BATCH_MS;
    const log = { old: now - FORGET_BATCH_MS, recent: now - 1, live: now, later: now + 1 };
    expect(forgetExpired(log, now)).toBe(log);
    const older = { ...log, old: now - FORGET_BATCH_MS - 1 };
    expect(forgetExpired(older, now)).toEqual({ live: now, later: now + 1 });
    expect(older.old).toBe(now - FORGET_BATCH_MS - 1);
  });

  it('letGo drops the keys named, and returns the same log when none is', () => {
    const log = { a: 1, b: 2, c: 3 };
    expect(letGo(log, [])).toBe(log);
    expect(letGo(log, ['a', 'c', 'z'])).toEqual({ b: 2 });
    expect(log).toEqual({ a: 1, b: 2, c: 3 });
  });
});

describe("a delivered alert's key lives as long as the API can list its row: from the row's creation, not from the delivery", () => {
  it('is kept until creation + KEY_TTL_MS, however late it was delivered, then forgotten (in a batch, within FORGET_BATCH_MS)', () => {
    const created = T0 - 2 * DAY;
    const s = deliveredAt(failedAt(created), T0);
    const key = failedAt(created).key;
    expect(s.reported[key]).toBe(created + KEY_TTL_MS);
    // The API still lists the row at the end of its 3 days: the key must be there, so the row is not reported again.
    expect(record(s, nothing, created + QUERY_WINDOW_MS).state.reported[key]).toBe(created + KEY_TTL_MS);
    expect(record(s, nothing, created + KEY_TTL_MS).state.reported[key]).toBe(created + KEY_TTL_MS);
    // Expired, it is harmless: it is forgotten with the next batch, once one key has been expired FORGET_BATCH_MS.
    expect(record(s, nothing, created + KEY_TTL_MS + FORGET_BATCH_MS).state.reported[key]).toBe(created + KEY_TTL_MS);
    expect(record(s, nothing, created + KEY_TTL_MS + FORGET_BATCH_MS + 1).state.reported[key]).toBeUndefined();
  });

  it('a record that forgets nothing and tells nothing returns the very same log (a quiet run does not rewrite it)', () => {
    const created = T0 - 2 * DAY;
    const s = deliveredAt(failedAt(created), T0);
    expect(record(s, nothing, T0 + 60_000).state.reported).toBe(s.reported);
  });

  it('is measured from the delivery only when the row has no creation time', () => {
    expect(deliveredAt(failedAt(null), T0).reported[failedAt(null).key]).toBe(T0 + KEY_TTL_MS);
  });

  it('(property) for any creation time and any delivery delay within the API window: present up to creation + TTL, gone after', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: QUERY_WINDOW_MS / 1000 }), fc.integer({ min: 1, max: 10 * DAY }), (delaySec, laterMs) => {
        const created = T0 - delaySec * 1000;
        const key = failedAt(created).key;
        const s = deliveredAt(failedAt(created), T0);
        const at = T0 + laterMs;
        const kept = record(s, nothing, at).state.reported[key];
        if (at <= created + KEY_TTL_MS + FORGET_BATCH_MS) expect(kept).toBe(created + KEY_TTL_MS);
        else expect(kept).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
