import fc from 'fast-check';
import { failedKey, KEY_TTL_MS, NOTICE_TTL_MS, noticeKey } from '../../lib/events/keys';
import type { AlertEvent, EventOf } from '../../lib/events/schema';
import { FORGET_BATCH_MS } from '../../lib/events/told';
import { enqueue, MAX_REFUSALS, MAX_UNCERTAIN_SENDS, record } from '../../lib/monitor/outbox';
import { emptyState, type MonitorState } from '../../lib/state/schema';
import { formatApiTime } from '../../lib/vod/time';

const T0 = Date.parse('2026-11-28T12:00:00Z');
const MIN = 60_000;

const failed = (n: number, createdMs = T0 - 10 * MIN): EventOf<'failed'> => {
  const objectPath = `http://v.example.com/${n}.mp4`;
  return {
    kind: 'failed',
    key: failedKey(`${7000 + n} ${objectPath}`),
    task: {
      taskId: `${7000 + n}`,
      objectPath,
      objectType: 'file',
      status: 'Failed',
      description: 'Origin Timeout',
      creationTime: formatApiTime(createdMs),
      domain: 'v.example.com',
    },
  };
};
const notice = (key: string): AlertEvent => ({ kind: 'notice', key, code: 'Quota', message: 'the daily quota is used up' });

type Outcome = Parameters<typeof record>[1];
const outcome = (o: Partial<{ delivered: string[]; uncertain: string[]; refused: string[]; recentSends: Record<string, number[]> }> = {}): Outcome => ({
  delivered: new Set(o.delivered ?? []),
  uncertain: new Set(o.uncertain ?? []),
  refused: new Map((o.refused ?? []).map((k) => [k, '310000 keywords not in content'])),
  recentSends: o.recentSends ?? {},
});
const queued = (events: AlertEvent[], state: MonitorState = emptyState(0)) => enqueue(state, events, T0);
const keys = (s: MonitorState) => s.outbox.map((o) => o.event.key);

describe('enqueue: the one place events join the outbox', () => {
  it('appends new events in order, each once, fresh (no timed-out send, no refusal) and stamped with now', () => {
    const s = queued([failed(1), failed(2), failed(1)]);
    expect(keys(s)).toEqual([failed(1).key, failed(2).key]);
    expect(s.outbox.map(({ queuedAtMs, uncertain, refusals }) => ({ queuedAtMs, uncertain, refusals }))).toEqual([
      { queuedAtMs: T0, uncertain: 0, refusals: 0 },
      { queuedAtMs: T0, uncertain: 0, refusals: 0 },
    ]);
  });

  it('never an event already waiting or already told: a once-a-day notice is decided again every run', () => {
    const told = { ...queued([failed(1)]), reported: { [noticeKey('quota', { once: true })]: T0 + NOTICE_TTL_MS } };
    const s = enqueue(told, [failed(1), notice(noticeKey('quota', { once: true })), failed(2)], T0 + MIN);
    expect(keys(s)).toEqual([failed(1).key, failed(2).key]);
    expect(s.outbox[0]!.queuedAtMs).toBe(T0);
    expect(s.outbox[1]!.queuedAtMs).toBe(T0 + MIN);
  });

  it('with nothing new, the very same state (a quiet run does not rewrite it)', () => {
    const s = queued([failed(1)]);
    expect(enqueue(s, [failed(1)], T0)).toBe(s);
    expect(enqueue(s, [], T0)).toBe(s);
  });

  it('(property) whatever is enqueued, in any order and repeated, the outbox holds each key once', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(8), { maxLength: 6 }), { maxLength: 5 }), (batches) => {
        let s = emptyState(0);
        for (const b of batches)
          s = enqueue(
            s,
            b.map((n) => failed(n)),
            T0,
          );
        const all = batches.flat();
        expect(keys(s)).toEqual([...new Set(all)].map((n) => failed(n).key));
      }),
    );
  });
});

describe('record: what the robot confirmed, what timed out, what it refused', () => {
  it('a delivered alert leaves the outbox for the notification log, kept as long as its row; a notice for a day', () => {
    const created = T0 - 2 * 86_400_000;
    const s = queued([failed(1, created), notice(noticeKey('quota', { once: true })), failed(2)]);
    const r = record(s, outcome({ delivered: [failed(1).key, noticeKey('quota', { once: true })] }), T0 + MIN);
    expect(keys(r.state)).toEqual([failed(2).key]);
    expect(r.state.reported).toEqual({ [failed(1).key]: created + KEY_TTL_MS, [noticeKey('quota', { once: true })]: T0 + MIN + NOTICE_TTL_MS });
    expect(r).toMatchObject({ unconfirmed: [], dropped: [] });
  });

  it('a notice of one moment leaves the outbox but is not kept: nothing decides it again', () => {
    const key = noticeKey('dropped', { at: T0 });
    const r = record(queued([notice(key)]), outcome({ delivered: [key] }), T0);
    expect(r.state.outbox).toEqual([]);
    expect(r.state.reported).toEqual({});
  });

  it(`a send that timed out is tried again, and after ${MAX_UNCERTAIN_SENDS} counts as delivered (unconfirmed)`, () => {
    const key = failed(1).key;
    const first = record(queued([failed(1)]), outcome({ uncertain: [key] }), T0);
    expect(first.state.outbox).toEqual([{ event: failed(1), queuedAtMs: T0, uncertain: 1, refusals: 0 }]);
    expect(first.unconfirmed).toEqual([]);
    expect(first.state.reported[key]).toBeUndefined();
    const second = record(first.state, outcome({ uncertain: [key] }), T0 + MIN);
    expect(second.state.outbox).toEqual([]);
    expect(second.unconfirmed).toEqual([key]);
    expect(second.state.reported[key]).toBe(T0 - 10 * MIN + KEY_TTL_MS);
  });

  it(`an alert refused even in short form is kept ${MAX_REFUSALS - 1} runs, then dropped and said so in a notice of its own`, () => {
    const key = failed(1).key;
    let s = queued([failed(1), failed(2)]);
    for (let run = 1; run < MAX_REFUSALS; run++) {
      const r = record(s, outcome({ refused: [key] }), T0 + run * MIN);
      expect(r.dropped).toEqual([]);
      expect(r.state.outbox.find((o) => o.event.key === key)?.refusals).toBe(run);
      s = r.state;
    }
    const last = record(s, outcome({ refused: [key], delivered: [failed(2).key] }), T0 + MAX_REFUSALS * MIN);
    expect(last.dropped).toEqual([key]);
    expect(last.state.reported[key]).toBeUndefined();
    const [dropNotice, ...rest] = last.state.outbox;
    expect(rest).toEqual([]);
    expect(dropNotice).toMatchObject({ queuedAtMs: T0 + MAX_REFUSALS * MIN, uncertain: 0, refusals: 0 });
    expect(dropNotice!.event).toEqual({
      kind: 'notice',
      key: noticeKey('dropped', { at: T0 + MAX_REFUSALS * MIN }),
      code: 'AlertRefused',
      message: `1 alert(s) could not be delivered: the robot refused them ${MAX_REFUSALS} runs in a row, even in short form. They are in the logs (event "alert-dropped").`,
    });
  });

  it('a send that timed out once and is confirmed now is delivered, not unconfirmed (also when another receiver timed out again)', () => {
    const key = failed(1).key;
    const first = record(queued([failed(1)]), outcome({ uncertain: [key] }), T0);
    for (const now of [outcome({ delivered: [key] }), outcome({ delivered: [key], uncertain: [key] })]) {
      const r = record(first.state, now, T0 + MIN);
      expect(r.state.outbox).toEqual([]);
      expect(r.unconfirmed).toEqual([]);
      expect(r.state.reported[key]).toBe(T0 - 10 * MIN + KEY_TTL_MS);
    }
  });

  it('delivering only notices of one moment leaves the notification log as it was (the very same object: nothing to save)', () => {
    const key = noticeKey('dropped', { at: T0 });
    const s = { ...queued([notice(key)]), reported: { [failed(9).key]: T0 + KEY_TTL_MS } };
    expect(record(s, outcome({ delivered: [key] }), T0).state.reported).toBe(s.reported);
  });

  it('an alert neither delivered nor refused nor timed out waits as it was', () => {
    const s = record(queued([failed(1)]), outcome(), T0 + MIN).state;
    expect(s.outbox).toEqual([{ event: failed(1), queuedAtMs: T0, uncertain: 0, refusals: 0 }]);
  });

  it("keeps the robots' recent sends, receiver by receiver", () => {
    const s = { ...emptyState(0), recentSends: { ops: [T0 - MIN], db: [T0 - 2 * MIN] } };
    const r = record(s, outcome({ recentSends: { ops: [T0 - MIN, T0] } }), T0);
    expect(r.state.recentSends).toEqual({ ops: [T0 - MIN, T0], db: [T0 - 2 * MIN] });
  });

  it('forgets the expired told and held keys (in a batch), and begins the reminders of a delivered failure on the API clock', () => {
    const old = T0 - 5 * 86_400_000;
    const path = failed(1).task.objectPath;
    const s: MonitorState = {
      ...queued([failed(1)]),
      skewMs: 5000,
      reported: { 'failed:gone': old },
      heldKeys: { 'failed:held-gone': old },
      failedPaths: {
        [path]: { key: '7001 http://v.example.com/1.mp4', taskId: '7001', objectType: 'file', createdAtMs: T0 - 10 * MIN, description: null, checkedToMs: T0 },
      },
    };
    const r = record(s, outcome({ delivered: [failed(1).key] }), old + KEY_TTL_MS);
    expect(Object.keys(r.state.reported)).toEqual([failed(1).key]);
    const later = record(s, outcome({ delivered: [failed(1).key] }), T0 + FORGET_BATCH_MS);
    expect(later.state.reported['failed:gone']).toBeUndefined();
    expect(later.state.heldKeys).toEqual({});
    expect(later.state.reminders[path]).toEqual({ count: 0, lastMs: T0 + FORGET_BATCH_MS + 5000 });
  });

  it('(property) every queued alert ends in exactly one place: the log, the dropped, or the outbox', () => {
    const fate = fc.constantFrom('delivered', 'uncertain', 'refused', 'none');
    fc.assert(
      fc.property(fc.array(fc.tuple(fate, fc.nat(2), fc.nat(2)), { minLength: 1, maxLength: 8 }), (entries) => {
        const events = entries.map((_, i) => failed(i));
        const base = queued(events);
        const s = { ...base, outbox: base.outbox.map((o, i) => ({ ...o, uncertain: entries[i]![1] % MAX_UNCERTAIN_SENDS, refusals: entries[i]![2] })) };
        const pick = (f: string) => events.filter((_, i) => entries[i]![0] === f).map((e) => e.key);
        const r = record(s, outcome({ delivered: pick('delivered'), uncertain: pick('uncertain'), refused: pick('refused') }), T0);
        for (const e of events) {
          const places = [e.key in r.state.reported, r.dropped.includes(e.key), keys(r.state).includes(e.key)].filter(Boolean);
          expect(places).toHaveLength(1);
        }
      }),
    );
  });
});
