import { budget } from '../../lib/budget';
import type { AlertEvent } from '../../lib/events/schema';
import { MAX_REFUSALS, MAX_UNCERTAIN_SENDS, record } from '../../lib/monitor/outbox';
import { type DeliveryDeps, deliver, MIN_SEND_MS } from '../../lib/notify/deliver';
import type { RenderOptions } from '../../lib/notify/render';
import { emptyState, type OutboxEntry } from '../../lib/state/schema';
import { fakeClock, RecordingNotifier, silentLogger } from '../helpers/fakes';
import { duplicateKeys } from '../helpers/json-keys';
import { logSink } from '../helpers/sink';

const opts: RenderOptions = {
  monitorName: 'VOD refresh',
  keywords: ['VOD'],
  mentions: { atMobiles: [], atUserIds: [], atAllMinFailures: 0 },
  maxBodyBytes: 20_000,
  stuckAfterMinutes: 30,
};
const failed = (id: number, path = `http://v.example.com/${id}.mp4`): AlertEvent => ({
  kind: 'failed',
  key: `failed:${id}`,
  task: {
    taskId: String(id),
    objectPath: path,
    objectType: 'file',
    status: 'Failed',
    description: 'Origin Timeout',
    creationTime: '2026-11-28T04:00:00Z',
    domain: 'v.example.com',
  },
});
const entry = (e: AlertEvent, over: Partial<OutboxEntry> = {}): OutboxEntry => ({ event: e, queuedAtMs: 0, uncertain: 0, refusals: 0, ...over });

function setup(deadlineInMs = 60_000) {
  const clock = fakeClock();
  const notifier = new RecordingNotifier();
  const deps: DeliveryDeps = {
    notifier,
    logger: silentLogger(),
    now: clock.now,
    sleep: clock.sleep,
    random: () => 0.5,
    deadlineMs: clock.now() + deadlineInMs,
    retryPolicy: { baseMs: 100, capMs: 1000, maxAttempts: 5 },
    maxPerMinute: 20,
    sendTimeoutMs: 5000,
    renderOptions: opts,
  };
  return { clock, notifier, deps };
}

/** Refuses (content) every message that lists the poison path. */
const refusing = (poison: string) => (m: { text: string }) =>
  m.text.includes(poison) ? { ok: false as const, kind: 'content' as const, code: '430102', reason: 'inappropriate text' } : { ok: true as const };

describe('deliver', () => {
  it('isolates an alert the robot refuses for its content: the others are delivered, it goes out in short form', async () => {
    const w = setup();
    const events = Array.from({ length: 13 }, (_, i) => failed(i, i === 7 ? 'http://v.example.com/POISON.mp4' : undefined));
    w.notifier.script.push(...Array.from({ length: 40 }, () => refusing('POISON')));
    const r = await deliver(
      events.map((e) => entry(e)),
      [],
      w.deps,
    );
    expect([...r.delivered].sort()).toEqual(events.map((e) => e.key).sort());
    expect([...r.shortened]).toEqual(['failed:7']);
    expect(r.stoppedBy).toBeNull();
    const short = w.notifier.sent.find((m) => m.keys[0] === 'failed:7')!;
    expect(short.text).toContain('refused the full text');
    expect(short.text).not.toContain('POISON');
    expect(w.notifier.sent.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(13)) + 2);
  });

  it('counts an alert refused even in short form, and keeps sending the rest', async () => {
    const w = setup();
    w.notifier.script.push(
      ...Array.from(
        { length: 40 },
        () => (m: { text: string; keys: string[] }) =>
          m.keys.includes('failed:2') ? { ok: false as const, kind: 'content' as const, code: '430104', reason: 'no' } : { ok: true as const },
      ),
    );
    const r = await deliver(
      [failed(1), failed(2), failed(3)].map((e) => entry(e)),
      [],
      w.deps,
    );
    expect([...r.delivered].sort()).toEqual(['failed:1', 'failed:3']);
    expect(r.refused).toEqual(new Map([['failed:2', '430104']]));
  });

  it('does not send a timed-out message again in the same run, and labels it as a possible repeat next time', async () => {
    const w = setup();
    w.notifier.script.push({ ok: false, kind: 'timeout', code: 'timeout', reason: 'no answer within 5000 ms' });
    const r = await deliver([entry(failed(1)), entry(failed(2))], [], w.deps);
    expect(w.notifier.calls.filter((c) => c.what === 'send')).toHaveLength(1);
    expect(r.uncertain).toEqual(new Set(['failed:1', 'failed:2']));
    expect(r.stoppedBy?.code).toBe('timeout');
    const next = setup();
    await deliver([entry(failed(1), { uncertain: 1 })], [], next.deps);
    expect(next.notifier.sent[0]!.text).toContain('Possibly a repeat');
  });

  it('stops on a refusal of the robot settings, keeping everything', async () => {
    const w = setup();
    w.notifier.script.push({ ok: false, kind: 'config', code: '310000', reason: 'sign not match' });
    const r = await deliver([entry(failed(1))], [], w.deps);
    expect(r).toMatchObject({ sent: 0, stoppedBy: { code: '310000' } });
    expect(r.delivered.size).toBe(0);
  });

  it('starts no send that could end after the deadline', async () => {
    const w = setup(MIN_SEND_MS - 1);
    const r = await deliver([entry(failed(1))], [], w.deps);
    expect(w.notifier.calls).toEqual([]);
    expect(r.stoppedBy?.code).toBe('deadline');
  });

  it('logs one line per delivered alert with its task id, URL and kind, also for those sent in short form', async () => {
    const w = setup();
    const sink = logSink();
    const recovered: AlertEvent = {
      kind: 'recovered',
      key: 'recovered:5',
      task: { ...(failed(5) as Extract<AlertEvent, { kind: 'failed' }>).task, status: 'Complete' },
      failedTaskId: '4',
      failedDescription: 'Origin Timeout',
    };
    const notice: AlertEvent = { kind: 'notice', key: 'notice:x', code: 'WatchLimit', message: 'm' };
    const events = [failed(700000084, 'http://v.example.com/POISON.mp4'), failed(2), recovered, notice];
    w.notifier.script.push(...Array.from({ length: 10 }, () => refusing('POISON')));
    const r = await deliver(
      events.map((e) => entry(e)),
      [],
      { ...w.deps, logger: sink.logger.child({ requestId: 'req-9', receiver: 'oncall' }) },
    );
    expect(r.delivered.size).toBe(4);
    const told = sink.records().filter((l) => l.event === 'alert-delivered');
    expect(told.map((l) => l.key).sort()).toEqual(events.map((e) => e.key).sort());
    expect(told.find((l) => l.key === 'failed:700000084')).toMatchObject({
      level: 'info',
      requestId: 'req-9',
      receiver: 'oncall',
      kind: 'failed',
      taskId: '700000084',
      url: 'http://v.example.com/POISON.mp4',
      objectType: 'file',
      domain: 'v.example.com',
      short: true,
    });
    expect(told.find((l) => l.key === 'recovered:5')).toMatchObject({ kind: 'recovered', taskId: '5', failedTaskId: '4' });
    expect(told.find((l) => l.key === 'notice:x')).toMatchObject({ kind: 'notice', code: 'WatchLimit' });
    for (const line of sink.lines) expect(duplicateKeys(line)).toEqual([]);
  });

  it('respects the client-side rate limit', async () => {
    const w = setup();
    const r = await deliver(
      [entry(failed(1))],
      Array.from({ length: 20 }, () => w.clock.now() - 1000),
      w.deps,
    );
    expect(r.stoppedBy?.code).toBe('client-rate-limit');
    expect(w.notifier.calls).toEqual([]);
  });
});

describe('record', () => {
  const s = (outbox: OutboxEntry[]) => ({ ...emptyState(0), outbox });
  it(`counts a timed-out alert as delivered (unconfirmed) at its ${MAX_UNCERTAIN_SENDS}nd uncertain send`, () => {
    const a = record(s([entry(failed(1))]), { delivered: new Set(), uncertain: new Set(['failed:1']), refused: new Map(), recentSends: {} }, 1000);
    expect(a.state.outbox[0]!.uncertain).toBe(1);
    const b = record(a.state, { delivered: new Set(), uncertain: new Set(['failed:1']), refused: new Map(), recentSends: {} }, 2000);
    expect(b.state.outbox).toEqual([]);
    expect(b.unconfirmed).toEqual(['failed:1']);
    expect(b.state.reported['failed:1']).toBeGreaterThan(2000);
  });

  it(`drops an alert refused ${MAX_REFUSALS} runs in a row, with a notice that says so`, () => {
    let st = s([entry(failed(1))]);
    let dropped: string[] = [];
    for (let i = 0; i < MAX_REFUSALS; i++)
      ({ state: st, dropped } = record(st, { delivered: new Set(), uncertain: new Set(), refused: new Map([['failed:1', '430102']]), recentSends: {} }, i));
    expect(dropped).toEqual(['failed:1']);
    expect(st.outbox.map((o) => o.event.kind)).toEqual(['notice']);
  });

  it('the run budget leaves room for delivering and saving before the function timeout', () => {
    for (const [timeout, alert] of [
      [20_000, 30_000],
      [120_000, 5000],
      [10_000, 200],
    ] as const) {
      const b = budget(0, timeout, alert);
      expect(b.readUntilMs).toBeLessThan(b.deliverUntilMs);
      expect(b.deliverUntilMs).toBeLessThan(b.hardStopMs);
      expect(b.hardStopMs).toBeLessThan(timeout);
    }
  });
});
