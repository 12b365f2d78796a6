import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import { type GoodRunFacts, whyNotGood } from '../decide/good-run';
import type { Cause, OutageMemory } from './memory';
import type { LockSeen, Sight } from './sight';

/**
 * The heartbeat: a small file the monitor writes beside its state at the end of every invocation, whatever the
 * outcome, so that the watchdog sees runs the state cannot show (a skipped run holds no lock, so it cannot write the
 * state). And what the watchdog concludes from it, as pure functions of `now`.
 */

/** The longest a run waits for its heartbeat: about a millisecond on a disk; a mount that hangs costs this, not more. */
export const HEARTBEAT_WAIT_MS = 100;
/** A heartbeat file is a few hundred bytes; a bigger one is not ours. */
const MAX_BYTES = 4096;
const MAX_WHY = 300;
/** The shortest window without a good run before the watchdog speaks. */
const MIN_WINDOW_MS = 15 * 60_000;
/** An outage told is told again after this, while it lasts. */
export const OUTAGE_REMIND_MS = 24 * 3600_000;

const heartbeatSchema = v.object({
  version: v.literal(1),
  lastRun: v.object({
    atMs: v.number(),
    endedMs: v.number(),
    /** The report's status, or `threw` when the handler threw. */
    status: v.string(),
    good: v.boolean(),
    /** Why it was not good (a good-run.ts kind, or `threw`), and in words; both null when good. */
    kind: v.nullable(v.string()),
    why: v.nullable(v.string()),
  }),
  /** When the last good run ended; null when none has been seen. */
  lastGoodMs: v.nullable(v.number()),
  /** Runs in a row that ended like lastRun (same status, same goodness), and when the first of them started. */
  streak: v.object({ sinceMs: v.number(), count: v.number() }),
});

/** What the heartbeat file holds. */
export type Heartbeat = v.InferOutput<typeof heartbeatSchema>;

/** The heartbeat beside a state file. */
export function heartbeatFile(stateFile: string): string {
  return `${stateFile}.heartbeat.json`;
}

/** How an invocation of the monitor ended: its report, or what it threw (undefined: it ended before either). */
export interface RunEnd {
  readonly startedMs: number;
  readonly endedMs: number;
  readonly dryRun: boolean;
  readonly outcome: { readonly report: GoodRunFacts } | { readonly error: unknown } | undefined;
}

const bound = (s: string) => (s.length > MAX_WHY ? `${s.slice(0, MAX_WHY - 1)}…` : s);

/** The heartbeat after a run. Pure; `redact` runs before anything is cut short. */
export function nextHeartbeat(prev: Heartbeat | null, run: RunEnd, redact: (s: string) => string): Heartbeat {
  const o = run.outcome;
  const bad =
    o === undefined
      ? { kind: 'threw', why: 'the run ended without a report' }
      : 'report' in o
        ? whyNotGood(o.report)
        : {
            kind: 'threw',
            why:
              o.error instanceof Error
                ? `${o.error.name}: ${o.error.message}`
                : typeof o.error === 'string'
                  ? o.error
                  : 'a value that is not an Error was thrown',
          };
  const status = o !== undefined && 'report' in o ? o.report.status : 'threw';
  const good = bad === null;
  const same = prev !== null && prev.lastRun.status === status && prev.lastRun.good === good;
  return {
    version: 1,
    lastRun: { atMs: run.startedMs, endedMs: run.endedMs, status, good, kind: bad?.kind ?? null, why: bad ? bound(redact(bad.why)) : null },
    lastGoodMs: good ? run.endedMs : (prev?.lastGoodMs ?? null),
    streak: same ? { sinceMs: prev.streak.sinceMs, count: prev.streak.count + 1 } : { sinceMs: run.startedMs, count: 1 },
  };
}

/** The heartbeat beside the state, read only: null when there is none; `problem` (an error code) when it cannot be read. */
export async function readHeartbeat(stateFile: string): Promise<{ heartbeat: Heartbeat | null; problem: string | null }> {
  let text: string;
  try {
    const handle = await fs.open(heartbeatFile(stateFile), 'r');
    try {
      const buf = Buffer.alloc(MAX_BYTES + 1);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      if (bytesRead > MAX_BYTES) return { heartbeat: null, problem: 'too large to be a heartbeat' };
      text = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { heartbeat: null, problem: code === 'ENOENT' ? null : code };
  }
  try {
    const parsed = v.safeParse(heartbeatSchema, JSON.parse(text));
    return parsed.success ? { heartbeat: parsed.output, problem: null } : { heartbeat: null, problem: 'not a heartbeat' };
  } catch {
    return { heartbeat: null, problem: 'not JSON' };
  }
}

async function writeHeartbeat(stateFile: string, run: RunEnd, redact: (s: string) => string): Promise<void> {
  const file = heartbeatFile(stateFile);
  const prev = await readHeartbeat(stateFile);
  const body = JSON.stringify(nextHeartbeat(prev.heartbeat, run, redact));
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await fs.writeFile(tmp, body);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(tmp, body);
  }
  await fs.rename(tmp, file);
}

/**
 * Records how a run ended; best effort: never throws, and waits HEARTBEAT_WAIT_MS at most. A dry run leaves it alone
 * (it is a person trying the monitor, not the timer, and is never a good run).
 */
export async function beat(stateFile: string, run: RunEnd, redact: (s: string) => string): Promise<void> {
  if (run.dryRun) return;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, HEARTBEAT_WAIT_MS);
    timer.unref();
  });
  try {
    await Promise.race([writeHeartbeat(stateFile, run, redact).catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The monitor's run, recording how it ended in the heartbeat in a `finally`: after the report or the error, which it
 * returns or throws unchanged. The one call the monitor's handler makes to the heartbeat.
 */
export function withHeartbeat<A extends unknown[], T extends GoodRunFacts>(
  run: (...args: A) => Promise<T>,
  stateFile: string,
  o: { readonly startedMs: number; readonly dryRun: boolean; readonly now: () => number; readonly redact: (s: string) => string },
): (...args: A) => Promise<T> {
  return async (...args) => {
    let outcome: RunEnd['outcome'];
    try {
      const report = await run(...args);
      outcome = { report };
      return report;
    } catch (error) {
      outcome = { error };
      throw error;
    } finally {
      await beat(stateFile, { startedMs: o.startedMs, endedMs: o.now(), dryRun: o.dryRun, outcome }, o.redact);
    }
  };
}

/** How long without a good run before the watchdog speaks: three runs missed, and never less than 15 minutes. */
export function outageWindowMs(cadenceMs: number): number {
  return Math.max(MIN_WINDOW_MS, 3 * cadenceMs);
}

/** The cause the watchdog can see for an outage, most specific first. */
export type SeenCause =
  | { readonly kind: 'state'; readonly code: string }
  | { readonly kind: 'heartbeat'; readonly code: string }
  | { readonly kind: 'failed-for-good'; readonly failure: Pick<Cause, 'kind' | 'text' | 'lastAtMs'> & { readonly requestId?: string | null } }
  | { readonly kind: 'absent'; readonly lastRunMs: number | null; readonly watchingSinceMs: number | null }
  | { readonly kind: 'skipped'; readonly sinceMs: number; readonly count: number; readonly lock: LockSeen | null }
  | { readonly kind: 'failing'; readonly run: Heartbeat['lastRun']; readonly sinceMs: number; readonly count: number };

/** Whether good runs happen, as the watchdog sees it. */
export interface Judgement {
  readonly windowMs: number;
  readonly lastGoodMs: number | null;
  /**
   * What "no good run since" counts from: the last good run, or when watching began when none was seen; null when
   * neither is known (a watchdog that cannot keep its memory, and no good run in the heartbeat).
   */
  readonly sinceMs: number | null;
  /** No good run within the window. */
  readonly outage: boolean;
  /** Why, when `outage`. */
  readonly cause: SeenCause | null;
}

function causeOf(s: Sight, windowMs: number, watchingSinceMs: number | null, nowMs: number): SeenCause {
  if (s.stateProblem) return { kind: 'state', code: s.stateProblem };
  const last = s.heartbeat?.lastRun ?? null;
  const newer = s.failures.filter((f) => last === null || f.lastAtMs > last.endedMs).sort((a, b) => b.lastAtMs - a.lastAtMs)[0];
  if (newer) return { kind: 'failed-for-good', failure: newer };
  if (s.heartbeatProblem) return { kind: 'heartbeat', code: s.heartbeatProblem };
  if (last === null || nowMs - last.endedMs > windowMs) return { kind: 'absent', lastRunMs: last?.endedMs ?? null, watchingSinceMs };
  const streak = s.heartbeat!.streak;
  if (last.status === 'skipped') return { kind: 'skipped', sinceMs: streak.sinceMs, count: streak.count, lock: s.lock };
  return { kind: 'failing', run: last, sinceMs: streak.sinceMs, count: streak.count };
}

/**
 * Whether a good run happened within the window and, when none did, the cause the watchdog can see. The last good run
 * the watchdog saw (`seenGoodMs`) stands for a heartbeat that cannot be read, or one written again without it. Pure.
 */
export function judge(s: Sight, windowMs: number, watchingSinceMs: number | null, nowMs: number, seenGoodMs: number | null = null): Judgement {
  const beat = s.heartbeat?.lastGoodMs ?? null;
  const lastGoodMs = beat === null || seenGoodMs === null ? (beat ?? seenGoodMs) : Math.max(beat, seenGoodMs);
  const sinceMs = lastGoodMs ?? watchingSinceMs;
  const outage = sinceMs === null || nowMs - sinceMs > windowMs;
  return { windowMs, lastGoodMs, sinceMs, outage, cause: outage ? causeOf(s, windowMs, watchingSinceMs, nowMs) : null };
}

/** What the watchdog says this tick. */
export type Say = 'outage' | 'reminder' | 'recovered';

/**
 * Once per outage, again each OUTAGE_REMIND_MS while it lasts, and once when good runs are back (only after an
 * outage that was told). `next(delivered)` is the outage to remember once the robot answered. Pure.
 */
export function decideOutage(
  prev: OutageMemory | null,
  j: Judgement,
  describe: (c: SeenCause) => string,
  nowMs: number,
): { say: Say | null; next: (delivered: boolean) => OutageMemory | null } {
  if (!j.outage) {
    if (prev?.announcedAtMs == null) return { say: null, next: () => null };
    return { say: 'recovered', next: (delivered) => (delivered ? null : prev) };
  }
  if (prev === null || prev.sinceMs !== j.sinceMs || prev.announcedAtMs === null) {
    const fresh = { sinceMs: j.sinceMs ?? nowMs, kind: j.cause!.kind, text: describe(j.cause!) };
    return { say: 'outage', next: (delivered) => ({ ...fresh, announcedAtMs: delivered ? nowMs : null }) };
  }
  if (nowMs - prev.announcedAtMs < OUTAGE_REMIND_MS) return { say: null, next: () => prev };
  return { say: 'reminder', next: (delivered) => (delivered ? { ...prev, announcedAtMs: nowMs } : prev) };
}
