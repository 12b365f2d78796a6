import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import type { GoodRunFacts } from '../../lib/decide/good-run';
import { makeRedactor } from '../../lib/redact';
import {
  beat,
  decideOutage,
  type Heartbeat,
  heartbeatFile,
  type Judgement,
  judge,
  nextHeartbeat,
  OUTAGE_REMIND_MS,
  outageWindowMs,
  readHeartbeat,
  type SeenCause,
  withHeartbeat,
} from '../../lib/watchdog/heartbeat';
import type { OutageMemory } from '../../lib/watchdog/memory';
import type { Sight } from '../../lib/watchdog/sight';

const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);
const none = (s: string) => s;

const report = (status: GoodRunFacts['status'], read: GoodRunFacts['read']['status'] = 'complete', reason?: string): GoodRunFacts => ({
  dryRun: false,
  status,
  ...(reason ? { reason } : {}),
  read: { status: read },
  alerts: {},
});
const ended = (outcome: { report: GoodRunFacts } | { error: unknown }, atMs: number) => ({ startedMs: atMs, endedMs: atMs + 2000, dryRun: false, outcome });

describe('nextHeartbeat: what a run leaves behind', () => {
  it('keeps the last good run across bad ones, and counts the runs in a row that ended alike', () => {
    let hb: Heartbeat | null = null;
    hb = nextHeartbeat(hb, ended({ report: report('ok') }, T0), none);
    expect(hb).toMatchObject({ lastGoodMs: T0 + 2000, lastRun: { good: true, kind: null, why: null }, streak: { sinceMs: T0, count: 1 } });
    hb = nextHeartbeat(hb, ended({ report: report('skipped', 'none', 'another run holds the state lock') }, T0 + 5 * MIN), none);
    hb = nextHeartbeat(hb, ended({ report: report('skipped', 'none', 'another run holds the state lock') }, T0 + 10 * MIN), none);
    expect(hb).toMatchObject({
      lastGoodMs: T0 + 2000,
      lastRun: { status: 'skipped', good: false, kind: 'nothing-read', why: 'another run holds the state lock' },
      streak: { sinceMs: T0 + 5 * MIN, count: 2 },
    });
    hb = nextHeartbeat(hb, ended({ error: new TypeError('boom') }, T0 + 15 * MIN), none);
    expect(hb).toMatchObject({ lastRun: { status: 'threw', kind: 'threw', why: 'TypeError: boom' }, streak: { count: 1 } });
  });

  it('holds no secret and stays small, whatever the error says', () => {
    const secret = 'sts-secret-0123456789';
    const redact = makeRedactor([secret]);
    const hb = nextHeartbeat(null, ended({ error: new Error(`${'x'.repeat(5000)} ${secret}`) }, T0), redact);
    const hb2 = nextHeartbeat(null, ended({ error: new Error(`${secret} ${'y'.repeat(5000)}`) }, T0), redact);
    for (const h of [hb, hb2]) {
      expect(JSON.stringify(h)).not.toContain(secret);
      expect(JSON.stringify(h).length).toBeLessThan(1000);
    }
    expect(hb2.lastRun.why?.startsWith('Error: ***')).toBe(true);
  });
});

describe('beat and readHeartbeat on disk: best effort, never a throw', () => {
  const dirs: string[] = [];
  const scratch = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'vrm-hb-'));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('writes beside the state and reads it back; a dry run leaves it alone', async () => {
    const stateFile = path.join(scratch(), 'new-folder', 'state.json');
    await beat(stateFile, ended({ report: report('ok') }, T0), none);
    expect((await readHeartbeat(stateFile)).heartbeat?.lastGoodMs).toBe(T0 + 2000);
    await beat(stateFile, { ...ended({ report: report('degraded', 'down') }, T0 + MIN), dryRun: true }, none);
    expect((await readHeartbeat(stateFile)).heartbeat?.lastRun.status).toBe('ok');
  });

  it.each([
    ['a folder where the heartbeat goes', (d: string) => mkdirSync(heartbeatFile(path.join(d, 'state.json')))],
    ['a file where its folder goes', (d: string) => writeFileSync(path.join(d, 'sub'), 'x')],
  ])('never throws with %s', async (_name, spoil) => {
    const dir = scratch();
    spoil(dir);
    for (const stateFile of [path.join(dir, 'state.json'), path.join(dir, 'sub', 'state.json')])
      await expect(beat(stateFile, ended({ report: report('ok') }, T0), none)).resolves.toBeUndefined();
  });

  it('reads a heartbeat that is not one as a problem, not as a run', async () => {
    const stateFile = path.join(scratch(), 'state.json');
    writeFileSync(heartbeatFile(stateFile), '{"version":1}');
    expect(await readHeartbeat(stateFile)).toEqual({ heartbeat: null, problem: 'not a heartbeat' });
    writeFileSync(heartbeatFile(stateFile), 'x'.repeat(10_000));
    expect(await readHeartbeat(stateFile)).toEqual({ heartbeat: null, problem: 'too large to be a heartbeat' });
  });

  it('does not wait for a write that hangs (a mount that does not answer)', async () => {
    const stateFile = path.join(scratch(), 'state.json');
    const fifo = `${heartbeatFile(stateFile)}.${process.pid}.tmp`;
    // Opening a FIFO for writing blocks until someone reads it: a write that never ends, as on a hung mount.
    execFileSync('mkfifo', [fifo]);
    await beat(stateFile, ended({ report: report('ok') }, T0), none);
    expect(existsSync(heartbeatFile(stateFile))).toBe(false);
    // Let the blocked write through, so that nothing is left pending.
    closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK));
  });

  it('returns or throws what the run did, after recording it', async () => {
    const stateFile = path.join(scratch(), 'state.json');
    const o = { startedMs: T0, dryRun: false, now: () => T0 + 1000, redact: none };
    await expect(withHeartbeat(async () => report('ok'), stateFile, o)()).resolves.toMatchObject({ status: 'ok' });
    await expect(withHeartbeat(async () => Promise.reject(new Error('crash')), stateFile, o)()).rejects.toThrow('crash');
    expect((await readHeartbeat(stateFile)).heartbeat).toMatchObject({ lastGoodMs: T0 + 1000, lastRun: { status: 'threw', why: 'Error: crash' } });
    expect(statSync(heartbeatFile(stateFile)).size).toBeLessThan(1000);
    expect(readFileSync(heartbeatFile(stateFile), 'utf8')).toContain('"version":1');
  });
});

const WINDOW = outageWindowMs(5 * MIN);
const beatAt = (
  endedMs: number,
  over: Partial<Heartbeat['lastRun']> = {},
  lastGoodMs: number | null = endedMs,
  streak = { sinceMs: endedMs, count: 1 },
): Heartbeat => ({
  version: 1,
  lastRun: { atMs: endedMs - 1000, endedMs, status: 'ok', good: true, kind: null, why: null, ...over },
  lastGoodMs,
  streak,
});
const sight = (over: Partial<Sight> = {}): Sight => ({ heartbeat: null, heartbeatProblem: null, stateProblem: null, lock: null, failures: [], ...over });
const NOW = T0 + 60 * MIN;
const bad = (status: string, kind: string, why: string) => ({ status, good: false, kind, why });

describe('outageWindowMs: from the cadence', () => {
  it.each([
    [1, 15],
    [5, 15],
    [10, 30],
    [15, 45],
  ])('every %i min: %i min without a good run', (cadence, minutes) => {
    expect(outageWindowMs(cadence * MIN)).toBe(minutes * MIN);
  });
});

describe('judge: whether good runs happen, and the cause the watchdog can see', () => {
  it.each<[string, Sight, number, SeenCause['kind'] | null]>([
    ['a good run within the window', sight({ heartbeat: beatAt(NOW - 10 * MIN) }), T0, null],
    ['no heartbeat yet, watching for less than the window', sight(), NOW - 10 * MIN, null],
    ['no heartbeat, watching for longer than the window', sight(), T0, 'absent'],
    ['the last run long ago', sight({ heartbeat: beatAt(NOW - 40 * MIN) }), T0, 'absent'],
    [
      'runs skipped by the lock',
      sight({ heartbeat: beatAt(NOW - 2 * MIN, bad('skipped', 'nothing-read', 'lock'), NOW - 30 * MIN), lock: { kind: 'garbage', bytes: 0 } }),
      T0,
      'skipped',
    ],
    ['runs failing', sight({ heartbeat: beatAt(NOW - 2 * MIN, bad('degraded', 'api-down', 'down'), NOW - 30 * MIN) }), T0, 'failing'],
    [
      'the state unreadable, whatever the heartbeat says',
      sight({ stateProblem: 'EISDIR', heartbeat: beatAt(NOW - 2 * MIN, bad('failed', 'nothing-read', 'x'), null) }),
      T0,
      'state',
    ],
    [
      'a configuration refused after the last run (told by the failure handler)',
      sight({ heartbeat: beatAt(NOW - 40 * MIN), failures: [{ kind: 'config', text: 'invalid configuration', lastAtMs: NOW - 5 * MIN }] }),
      T0,
      'failed-for-good',
    ],
    [
      'a failure older than the last run is not the cause',
      sight({
        heartbeat: beatAt(NOW - 2 * MIN, bad('skipped', 'nothing-read', 'lock'), NOW - 30 * MIN),
        failures: [{ kind: 'config', text: 'x', lastAtMs: NOW - 50 * MIN }],
      }),
      T0,
      'skipped',
    ],
    ['a heartbeat that cannot be read', sight({ heartbeatProblem: 'EIO' }), T0, 'heartbeat'],
  ])('%s', (_name, s, watchingSinceMs, cause) => {
    const j = judge(s, WINDOW, watchingSinceMs, NOW);
    expect(j.outage).toBe(cause !== null);
    expect(j.cause?.kind ?? null).toBe(cause);
  });

  it('counts from the last good run, or from when watching began', () => {
    expect(judge(sight({ heartbeat: beatAt(NOW - 16 * MIN) }), WINDOW, T0, NOW)).toMatchObject({ outage: true, sinceMs: NOW - 16 * MIN });
    expect(judge(sight({ heartbeat: beatAt(NOW - 15 * MIN) }), WINDOW, T0, NOW)).toMatchObject({ outage: false });
    expect(judge(sight(), WINDOW, NOW - 16 * MIN, NOW)).toMatchObject({ outage: true, sinceMs: NOW - 16 * MIN, lastGoodMs: null });
  });
});

const judgement = (outage: boolean, sinceMs: number): Judgement => ({
  windowMs: WINDOW,
  lastGoodMs: sinceMs,
  sinceMs,
  outage,
  cause: outage ? { kind: 'absent', lastRunMs: null, watchingSinceMs: sinceMs } : null,
});
const told = (sinceMs: number, announcedAtMs: number | null): OutageMemory => ({ sinceMs, kind: 'absent', text: 'x', announcedAtMs });

describe('decideOutage: once per outage, once when good runs are back', () => {
  it.each<[string, OutageMemory | null, Judgement, string | null, OutageMemory | null, OutageMemory | null]>([
    ['a new outage', null, judgement(true, T0), 'outage', told(T0, NOW), told(T0, null)],
    ['an outage told', told(T0, NOW - MIN), judgement(true, T0), null, told(T0, NOW - MIN), told(T0, NOW - MIN)],
    ['an outage not delivered yet', told(T0, null), judgement(true, T0), 'outage', told(T0, NOW), told(T0, null)],
    ['an outage told a day ago', told(T0, NOW - OUTAGE_REMIND_MS), judgement(true, T0), 'reminder', told(T0, NOW), told(T0, NOW - OUTAGE_REMIND_MS)],
    ['another outage after a good run', told(T0, NOW - MIN), judgement(true, T0 + 20 * MIN), 'outage', told(T0 + 20 * MIN, NOW), told(T0 + 20 * MIN, null)],
    ['good runs back after a told outage', told(T0, NOW - MIN), judgement(false, NOW - MIN), 'recovered', null, told(T0, NOW - MIN)],
    ['good runs back after an outage never told', told(T0, null), judgement(false, NOW - MIN), null, null, null],
    ['good runs', null, judgement(false, NOW - MIN), null, null, null],
  ])('%s', (_name, prev, j, say, ifDelivered, ifNot) => {
    const d = decideOutage(prev, j, () => 'x', NOW);
    expect(d.say).toBe(say);
    expect(d.next(true)).toEqual(ifDelivered);
    expect(d.next(false)).toEqual(ifNot);
  });

  it('over any run of ticks: each outage told once (reminders a day apart), good runs back told once, and only after an outage told', () => {
    const tick = fc.record({ outage: fc.boolean(), newOutage: fc.boolean(), delivered: fc.boolean(), minutes: fc.integer({ min: 1, max: 600 }) });
    fc.assert(
      fc.property(fc.array(tick, { maxLength: 60 }), (ticks) => {
        let now = NOW;
        let since = T0;
        let memory: OutageMemory | null = null;
        let toldOutage = false;
        const toldAt = new Map<number, number[]>();
        for (const t of ticks) {
          now += t.minutes * MIN;
          // A good run moves the last good run forward; an outage counts from it (or, newOutage, from a later blip).
          if (!t.outage) since = now - MIN;
          else if (t.newOutage) since = now - 20 * MIN;
          const d = decideOutage(memory, judgement(t.outage, since), () => 'x', now);
          if (d.say === 'recovered') expect(toldOutage).toBe(true);
          if (d.say === 'outage' || d.say === 'reminder') expect(t.outage).toBe(true);
          if (d.say === 'outage' && t.delivered) {
            const times = toldAt.get(since) ?? [];
            expect(times).toEqual([]);
            toldAt.set(since, [now]);
          }
          if (d.say === 'reminder' && t.delivered) {
            const times = toldAt.get(since)!;
            expect(now - times.at(-1)!).toBeGreaterThanOrEqual(OUTAGE_REMIND_MS);
            times.push(now);
          }
          memory = d.next(t.delivered);
          if ((d.say === 'outage' || d.say === 'reminder') && t.delivered) toldOutage = true;
          if (d.say === 'recovered' && t.delivered) toldOutage = false;
          if (!t.outage && !toldOutage) expect(memory).toBeNull();
        }
      }),
    );
  });
});
