import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { load } from 'js-yaml';
import { coldFailureTold, coldOutageSay, tickMoment, UNKNOWN_START_EVERY_MS, WATCHDOG_EVERY_MS } from '../../lib/watchdog/cold';
import { judge, outageWindowMs } from '../../lib/watchdog/heartbeat';
import { memoryFile, openMemory } from '../../lib/watchdog/memory';
import type { Sight } from '../../lib/watchdog/sight';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const P = WATCHDOG_EVERY_MS;
const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);

describe('tickMoment: the scheduled time of a tick', () => {
  it.each<[string, string | null, number, number]>([
    ['the triggerTime, a second before now', '2026-01-05T02:00:00Z', T0 + 1000, T0],
    ['no triggerTime: now', null, T0 + 1000, T0 + 1000],
    ['not a time: now', 'soon', T0 + 1000, T0 + 1000],
    ['a replayed event, far from now: now', '2026-01-04T02:00:00Z', T0, T0],
  ])('%s', (_name, triggerTime, nowMs, moment) => {
    expect(tickMoment(triggerTime, nowMs)).toBe(moment);
  });
});

/** Ticks of the watchdog's timer on its grid (every tenth minute), from `fromMs` for `count` ticks. */
const gridTicks = (fromMs: number, count: number) => Array.from({ length: count }, (_, k) => Math.ceil(fromMs / P) * P + k * P);

describe('coldOutageSay: told from the heartbeat alone, by any sequence of cold ticks', () => {
  it.each<[string, number | null, number, string | null]>([
    ['before the window is over', T0, T0 + 10 * MIN, null],
    ['the first tick after the window', T0 + 1000, T0 + 20 * MIN, 'outage'],
    ['the tick after that', T0 + 1000, T0 + 30 * MIN, null],
    ['a day after the first', T0 + 1000, T0 + 20 * MIN + DAY, 'reminder'],
    ['no good run known: the first tick of the hour', null, T0, 'outage'],
    ['no good run known: later in the hour', null, T0 + 10 * MIN, null],
  ])('%s', (_name, lastGoodMs, tickMs, say) => {
    expect(coldOutageSay(lastGoodMs, 15 * MIN, tickMs)).toBe(say);
  });

  it('over one outage: told exactly once on the first tick after the window, then once a day (on the tick after each day)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: DAY }),
        fc.constantFrom(1, 5, 10, 15),
        fc.integer({ min: 0, max: 3 * DAY }),
        (goodOffset, cadenceMinutes, spanMs) => {
          const lastGood = T0 + goodOffset;
          const windowMs = outageWindowMs(cadenceMinutes * MIN);
          const due = lastGood + windowMs;
          const ticks = gridTicks(lastGood, Math.ceil((windowMs + spanMs) / P) + 1);
          const told = ticks.filter((t) => coldOutageSay(lastGood, windowMs, t) !== null);
          // For each day n the outage lasts, the first tick at or after due + n days, and no other.
          const expected: number[] = [];
          for (let n = 0; due + n * DAY <= ticks.at(-1)!; n++) expected.push(ticks.find((t) => t >= due + n * DAY)!);
          expect(told).toEqual(expected);
          expect(told.map((t) => coldOutageSay(lastGood, windowMs, t))).toEqual(expected.map((_, n) => (n === 0 ? 'outage' : 'reminder')));
        },
      ),
    );
  });

  it('with no good run known: once in each hour of ticks, on the first tick of the hour', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 * DAY }), fc.integer({ min: 1, max: 48 }), (offset, hours) => {
        const start = Math.ceil((T0 + offset) / HOUR) * HOUR;
        const told = gridTicks(start, (hours * HOUR) / P).filter((t) => coldOutageSay(null, 15 * MIN, t) !== null);
        expect(told).toEqual(Array.from({ length: hours }, (_, h) => start + h * UNKNOWN_START_EVERY_MS));
      }),
    );
  });
});

describe('coldFailureTold: a failed run told from the heartbeat alone', () => {
  it.each<[string, number | null, number, boolean]>([
    ['the first run after the good one', T0 + 3000, T0 + 5 * MIN, true],
    ['the second', T0 + 3000, T0 + 10 * MIN, false],
    ['a day later', T0 + 3000, T0 + 5 * MIN + DAY, true],
    ['a run before the good one ended (a late event)', T0 + 3000, T0 - 5 * MIN, false],
    ['no good run known: the run at the start of the hour', null, T0, true],
    ['no good run known: the next', null, T0 + 5 * MIN, false],
  ])('%s', (_name, lastGoodMs, runMs, told) => {
    expect(coldFailureTold(lastGoodMs, runMs, 5 * MIN)).toBe(told);
  });

  it('over any outage of failed runs one cadence apart: the first is told, then exactly one a day', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 5, 10, 15),
        fc.double({ min: 0, max: 0.45, noNaN: true }),
        fc.double({ min: 0, max: 0.45, noNaN: true }),
        fc.integer({ min: 1, max: 4000 }),
        (cadenceMinutes, duration, latency, runs) => {
          const c = cadenceMinutes * MIN;
          // The good run's tick, when it ended, and each failed run after it: its tick (or the event, a little later).
          const lastGood = T0 + duration * c;
          const at = (k: number) => T0 + k * c + latency * (c / 2 - duration * c);
          const told: number[] = [];
          for (let k = 1; k <= runs; k++) if (coldFailureTold(lastGood, at(k), c)) told.push(k);
          // The first failed run after the good one is told; each next one about a day after the one before.
          expect(told[0]).toBe(1);
          for (let i = 1; i < told.length; i++) expect(Math.abs(at(told[i]!) - at(told[i - 1]!) - DAY)).toBeLessThanOrEqual(c);
          // And no day is skipped: the last run is less than a day (and half a cadence) after the last one told.
          expect(at(runs) - at(told.at(-1)!)).toBeLessThan(DAY + c / 2);
        },
      ),
    );
  });
});

describe('judge: a heartbeat that cannot be read', () => {
  const sight = (over: Partial<Sight>): Sight => ({ heartbeat: null, heartbeatProblem: null, stateProblem: null, lock: null, failures: [], ...over });
  const NOW = T0 + HOUR;

  it('counts from the last good run the watchdog saw, never from when watching began', () => {
    expect(judge(sight({ heartbeatProblem: 'not JSON' }), 15 * MIN, T0, NOW, NOW - 5 * MIN)).toMatchObject({ outage: false, lastGoodMs: NOW - 5 * MIN });
    expect(judge(sight({ heartbeatProblem: 'not JSON' }), 15 * MIN, T0, NOW, NOW - 20 * MIN)).toMatchObject({ outage: true, cause: { kind: 'heartbeat' } });
  });

  it('a heartbeat written again after a torn one, without its last good run: the good run the watchdog saw still counts', () => {
    const heartbeat = {
      version: 1 as const,
      lastRun: { atMs: NOW - 2 * MIN, endedMs: NOW - 2 * MIN, status: 'degraded', good: false, kind: 'api-down', why: 'x' },
      lastGoodMs: null,
      streak: { sinceMs: NOW - 2 * MIN, count: 1 },
    };
    expect(judge(sight({ heartbeat }), 15 * MIN, T0, NOW, NOW - 7 * MIN)).toMatchObject({ outage: false, lastGoodMs: NOW - 7 * MIN });
  });

  it('a newer good run in the heartbeat wins over the one the watchdog saw', () => {
    const heartbeat = {
      version: 1 as const,
      lastRun: { atMs: NOW - 4 * MIN, endedMs: NOW - 4 * MIN, status: 'ok', good: true, kind: null, why: null },
      lastGoodMs: NOW - 4 * MIN,
      streak: { sinceMs: NOW - 4 * MIN, count: 1 },
    };
    expect(judge(sight({ heartbeat }), 15 * MIN, T0, NOW, NOW - 20 * MIN)).toMatchObject({ outage: false, lastGoodMs: NOW - 4 * MIN });
  });

  it('without a memory and with no good run known, the outage is raised and its start is not made up', () => {
    expect(judge(sight({}), 15 * MIN, null, NOW)).toMatchObject({ outage: true, sinceMs: null, cause: { kind: 'absent', watchingSinceMs: null } });
  });
});

describe('openMemory: whether the watchdog can keep its memory beside the state', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vrm-mem-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a folder where watchdog.json belongs: not durable, with the file and the error', async () => {
    const stateFile = path.join(dir, 'state.json');
    mkdirSync(memoryFile(stateFile));
    await expect(openMemory(stateFile)).resolves.toMatchObject({ home: { durable: false, file: memoryFile(stateFile), code: 'EISDIR' } });
  });

  it('a folder that can be written: durable, and the memory read is written back unchanged', async () => {
    const stateFile = path.join(dir, 'state.json');
    const memory = { causes: {}, watch: { sinceMs: T0, outage: null, lastGoodSeenMs: T0 } };
    writeFileSync(memoryFile(stateFile), JSON.stringify(memory));
    await expect(openMemory(stateFile)).resolves.toEqual({ memory, home: { durable: true } });
    expect(JSON.parse(readFileSync(memoryFile(stateFile), 'utf8'))).toEqual(memory);
  });

  it('a torn watchdog.json: durable (it is rewritten), the memory empty', async () => {
    const stateFile = path.join(dir, 'state.json');
    writeFileSync(memoryFile(stateFile), '{"causes":{"a');
    await expect(openMemory(stateFile)).resolves.toMatchObject({ memory: { causes: {}, watch: null }, home: { durable: true } });
  });

  it('status only reads: nothing is written', async () => {
    const stateFile = path.join(dir, 'sub', 'state.json');
    await expect(openMemory(stateFile, false)).resolves.toMatchObject({ home: { durable: true } });
    expect(() => readFileSync(memoryFile(stateFile))).toThrow(/ENOENT/);
  });
});

it("the period the cold decisions assume is the watchdog timer's in s.yaml", () => {
  const yaml = load(readFileSync(path.join(__dirname, '..', '..', 's.yaml'), 'utf8')) as {
    resources: Record<string, { props: { handler: string; triggers?: { triggerConfig: { cronExpression: string } }[] } }>;
  };
  const watchdog = Object.values(yaml.resources).find((r) => r.props.handler === 'index.watchdog')!;
  const minutes = /^CRON_TZ=\S+ 0 \*\/(\d+) \* \* \* \*$/.exec(watchdog.props.triggers![0]!.triggerConfig.cronExpression)?.[1];
  expect(Number(minutes) * MIN).toBe(WATCHDOG_EVERY_MS);
});
