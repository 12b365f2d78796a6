import fc from 'fast-check';
import { loadConfig } from '../../lib/config';
import { runMonitor } from '../../lib/monitor';
import { VodError } from '../../lib/vod/errors';
import { type Call, FakeVodApi, fakeClock, fakeDeps, keyOf, MemoryStore, RecordingNotifier } from '../helpers/fakes';

const MIN = 60_000;
const WEBHOOK = 'https://oapi.dingtalk.com/robot/send?access_token=t';

function setup(env: Record<string, string> = {}) {
  const clock = fakeClock();
  const calls: Call[] = [];
  const store = new MemoryStore(calls);
  const notifier = new RecordingNotifier(calls);
  const api = new FakeVodApi(clock.now);
  const config = loadConfig({ DINGTALK_WEBHOOK: WEBHOOK, ...env });
  const deps = () => fakeDeps({ config, api, store, notifier, now: clock.now, sleep: clock.sleep });
  const run = (dryRun = false) => runMonitor(deps(), { dryRun, triggerTime: null });
  return { clock, calls, store, notifier, api, run };
}

/** The rows (TaskId, ObjectPath) listed as failed in what the notifier delivered. */
const failedKeysSent = (n: RecordingNotifier) => n.sent.flatMap((m) => m.keys).filter((k) => k.startsWith('failed:'));

describe('the pipeline keeps its promises (in-memory store and notifier, fixed clock)', () => {
  it('saves the outbox before it sends, and records a delivery only after the robot said yes', async () => {
    const w = setup();
    await w.run();
    w.clock.advance(5 * MIN);
    const row = w.api.add({ ObjectPath: 'http://v.example.com/a.mp4', createdMs: w.clock.now() - MIN, Status: 'Failed', Description: 'Origin Timeout' });
    w.calls.length = 0;
    await w.run();
    const order = w.calls.map((c) => c.what);
    expect(order).toEqual(['lock', 'load', 'save', 'send', 'save', 'unlock']);
    expect(w.calls[2]!.detail).toEqual({ outbox: [`failed:${keyOf(row)}`] });
    expect(w.calls[4]!.detail).toEqual({ outbox: [] });
    expect(w.store.state!.reported[`failed:${keyOf(row)}`]).toBeGreaterThan(w.clock.now());
  });

  it('keeps an alert the robot refused in the outbox, and does not record it', async () => {
    const w = setup();
    await w.run();
    w.clock.advance(5 * MIN);
    const row = w.api.add({ ObjectPath: 'http://v.example.com/a.mp4', createdMs: w.clock.now() - MIN, Status: 'Failed' });
    w.notifier.script.push({ ok: false, kind: 'config', code: '310000', reason: 'sign not match' });
    const r = await w.run();
    expect(r.alerts).toMatchObject({ delivered: 0, pending: 1, error: { code: '310000' } });
    expect(w.store.state!.outbox.map((o) => o.event.key)).toEqual([`failed:${keyOf(row)}`]);
    expect(w.store.state!.reported[`failed:${keyOf(row)}`]).toBeUndefined();
    w.clock.advance(5 * MIN);
    await w.run();
    expect(failedKeysSent(w.notifier)).toEqual([`failed:${keyOf(row)}`]);
  });

  it('a dry run takes no lock, writes nothing, sends nothing, and returns the message', async () => {
    const w = setup();
    w.api.add({ ObjectPath: 'http://v.example.com/a.mp4', createdMs: w.clock.now() - MIN, Status: 'Failed', Description: 'Origin Timeout' });
    const r = await w.run(true);
    expect(w.calls.map((c) => c.what)).toEqual(['load']);
    expect(r.preview?.[0]?.text).toContain('Origin Timeout');
  });

  it('a dry run on a corrupt state moves nothing; the next real run does, and says so', async () => {
    const w = setup();
    w.store.corrupt = 'the state file is not JSON';
    const dry = await w.run(true);
    expect(dry.state?.reset).toMatch(/not JSON/);
    expect(w.calls.map((c) => c.what)).toEqual(['load']);
    expect(w.store.corrupt).not.toBeNull();
    await w.run();
    expect(w.calls.map((c) => c.what)).toContain('quarantine');
    expect(w.notifier.sent[0]!.text).toContain('The state file could not be read');
  });

  it('stands aside when another run holds the lock', async () => {
    const w = setup();
    w.store.heldBy = { host: 'other', pid: 1, expiresAtMs: w.clock.now() + MIN };
    const r = await w.run();
    expect(r.status).toBe('skipped');
    expect(w.calls.map((c) => c.what)).toEqual(['lock']);
  });

  it('reports each failed URL of a merged task id, once, even when they fail at different times', async () => {
    const w = setup();
    await w.run();
    w.clock.advance(5 * MIN);
    const created = w.clock.now() - 2 * MIN;
    const rows = Array.from({ length: 12 }, (_, i) =>
      w.api.add({
        TaskId: '900000001',
        ObjectPath: `http://v.example.com/batch/${i}.mp4`,
        createdMs: created,
        Status: i < 3 ? 'Failed' : 'Refreshing',
        ...(i < 3 ? { Description: 'Origin Timeout' } : {}),
      }),
    );
    await w.run();
    expect(failedKeysSent(w.notifier).sort()).toEqual(
      rows
        .slice(0, 3)
        .map((r) => `failed:${keyOf(r)}`)
        .sort(),
    );
    w.clock.advance(5 * MIN);
    w.api.set('900000001', rows[5]!.ObjectPath, { Status: 'Failed', Description: 'Internal Error' });
    w.api.set('900000001', rows[6]!.ObjectPath, { Status: 'Failed', Description: 'Origin Return StatusCode 5XX' });
    for (const r of rows.slice(7)) w.api.set('900000001', r.ObjectPath, { Status: 'Complete' });
    await w.run();
    w.clock.advance(5 * MIN);
    await w.run();
    expect(failedKeysSent(w.notifier).sort()).toEqual([0, 1, 2, 5, 6].map((i) => `failed:${keyOf(rows[i]!)}`).sort());
  });
});

describe('every failed URL reaches the robot exactly once (property, fast-check)', () => {
  it('over random batches and random status changes across runs', async () => {
    const status = fc.constantFrom('Complete', 'Failed', 'Refreshing', 'Pending');
    const batch = fc.record({
      urls: fc.integer({ min: 1, max: 30 }),
      domain: fc.constantFrom('a.example.com', 'b.example.com'),
      first: fc.array(status, { minLength: 30, maxLength: 30 }),
    });
    const change = fc.record({ batch: fc.nat(), url: fc.nat(), to: fc.constantFrom('Complete', 'Failed') });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ batches: fc.array(batch, { maxLength: 4 }), changes: fc.array(change, { maxLength: 10 }) }), { minLength: 1, maxLength: 6 }),
        async (ticks) => {
          const w = setup({ VOD_SCAN_OVERLAP_SECONDS: '60' });
          await w.run();
          const all: Array<{ TaskId: string; ObjectPath: string; Status: string }> = [];
          let id = 0;
          for (const tick of ticks) {
            w.clock.advance(5 * MIN);
            for (const b of tick.batches) {
              const taskId = String(910_000_000 + id++);
              for (let u = 0; u < b.urls; u++)
                all.push(
                  w.api.add({
                    TaskId: taskId,
                    ObjectPath: `http://${b.domain}/t${taskId}/${u}.mp4`,
                    createdMs: w.clock.now() - 30_000,
                    Status: b.first[u]!,
                    ...(b.first[u] === 'Failed' ? { Description: 'Origin Timeout' } : {}),
                  }),
                );
            }
            const open = all.filter((r) => r.Status === 'Refreshing' || r.Status === 'Pending');
            for (const c of tick.changes) {
              const r = open[c.url % Math.max(1, open.length)];
              if (r) {
                w.api.set(r.TaskId, r.ObjectPath, { Status: c.to, ...(c.to === 'Failed' ? { Description: 'Internal Error' } : {}) });
                r.Status = c.to;
              }
            }
            await w.run();
          }
          w.clock.advance(5 * MIN);
          await w.run();
          const sent = failedKeysSent(w.notifier);
          const expected = all.filter((r) => r.Status === 'Failed').map((r) => `failed:${keyOf(r)}`);
          expect([...sent].sort()).toEqual([...expected].sort());
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('the function timeout is a wall', () => {
  function slowWorld(timeoutMs: number, answerMs: number) {
    const w = setup();
    const starts: number[] = [];
    const inner = w.api.describeRefreshTasks.bind(w.api);
    w.api.describeRefreshTasks = async (p, timeoutMs = 5000) => {
      starts.push(w.clock.now());
      await w.clock.sleep(Math.min(answerMs, timeoutMs));
      if (answerMs > timeoutMs) throw new VodError({ code: 'RequestTimeout', message: 'no answer', retryable: true });
      return inner(p);
    };
    const config = loadConfig({ DINGTALK_WEBHOOK: WEBHOOK });
    const saves: number[] = [];
    const save = w.store.save.bind(w.store);
    w.store.save = async (s) => {
      saves.push(w.clock.now());
      return save(s);
    };
    const run = () => {
      const deps = fakeDeps({ config, api: w.api, store: w.store, notifier: w.notifier, now: w.clock.now, sleep: w.clock.sleep, timeoutMs });
      return { b: deps.budget, report: runMonitor(deps, { dryRun: false, triggerTime: null }) };
    };
    return { ...w, starts, saves, run };
  }

  it('with VOD answering in 3 s and 10,000 rows: no request starts past the read deadline, the state is saved in time, failures read are delivered, and the next run goes on', async () => {
    const w = slowWorld(20_000, 3000);
    const t0 = w.clock.now();
    for (let i = 0; i < 10_000; i++) w.api.add({ ObjectPath: `http://v.example.com/x/${i}.mp4`, createdMs: t0 - 3 * 86_400_000 + 20 * MIN + i * 25_000 });
    const recent = w.api.add({ ObjectPath: 'http://v.example.com/recent.mp4', createdMs: t0 - 5 * MIN, Status: 'Failed' });
    const { b, report } = w.run();
    const r = await report;
    for (const s of w.starts) expect(s + 300).toBeLessThanOrEqual(b.readUntilMs);
    expect(w.saves.at(-1)!).toBeLessThanOrEqual(b.hardStopMs);
    expect(w.clock.now()).toBeLessThanOrEqual(b.hardStopMs);
    expect(r.alerts.delivered).toBeGreaterThan(0);
    expect(failedKeysSent(w.notifier)).toEqual([`failed:${keyOf(recent)}`]);
    expect(r.read.status).not.toBe('down');
    expect(r.health).toBe('ok');
  });

  it('with VOD answering in 3 s and a 40 s timeout: after a long outage each run keeps its progress, the next ones read what is left, a late failure is still caught', async () => {
    const w = slowWorld(40_000, 3000);
    await w.run().report;
    w.clock.advance(30 * 3600_000);
    const t0 = w.clock.now();
    for (let i = 0; i < 3_000; i++) w.api.add({ ObjectPath: `http://v.example.com/x/${i}.mp4`, createdMs: t0 - 30 * 3600_000 + 20 * MIN + i * 35_000 });
    const hung = w.api.add({ ObjectPath: 'http://v.example.com/hung.mp4', createdMs: t0 - 20 * 3600_000, Status: 'Refreshing' });
    const pending: number[] = [];
    for (let i = 0; i < 200 && (pending.at(-1) ?? 1) > 0; i++) {
      const { b, report } = w.run();
      const r = await report;
      expect(w.clock.now()).toBeLessThanOrEqual(b.hardStopMs);
      expect(r.health).toBe('ok');
      pending.push(r.read.rangesPending);
      w.clock.advance(5 * MIN);
    }
    expect(pending.at(-1)).toBe(0);
    expect(pending.length).toBeGreaterThan(1);
    w.api.set(hung.TaskId, hung.ObjectPath, { Status: 'Failed', Description: 'Origin Timeout' });
    await w.run().report;
    expect(failedKeysSent(w.notifier)).toContain(`failed:${keyOf(hung)}`);
  });

  it('with a robot that never answers: no send starts that could end after the delivery deadline; the outbox is saved', async () => {
    const w = slowWorld(20_000, 10);
    w.api.add({ ObjectPath: 'http://v.example.com/f.mp4', createdMs: w.clock.now() - MIN, Status: 'Failed' });
    const sendStarts: number[] = [];
    w.notifier.script.push(...Array.from({ length: 50 }, () => () => ({ ok: false as const, kind: 'retryable' as const, code: 'network', reason: 'down' })));
    const send = w.notifier.send.bind(w.notifier);
    w.notifier.send = async (m, timeoutMs) => {
      sendStarts.push(w.clock.now());
      await w.clock.sleep(timeoutMs);
      return send(m, timeoutMs);
    };
    const { b, report } = w.run();
    const r = await report;
    for (const s of sendStarts) expect(s).toBeLessThanOrEqual(b.deliverUntilMs - 1000);
    expect(w.clock.now()).toBeLessThanOrEqual(b.hardStopMs);
    expect(r.alerts.pending).toBe(1);
    expect(w.store.state!.outbox).toHaveLength(1);
  });
});
