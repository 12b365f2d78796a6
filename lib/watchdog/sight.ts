import { promises as fs } from 'node:fs';
import { type Heartbeat, readHeartbeat } from './heartbeat';
import type { Cause, Memory } from './memory';

/** Enough of the state to learn whether it can be read at all, without pulling a large file over the mount each tick. */
const STATE_PROBE_BYTES = 64 * 1024;
const LOCK_MAX_BYTES = 4096;

/** The monitor's lock file as the watchdog found it (read only). */
export type LockSeen =
  | {
      readonly kind: 'held';
      readonly host: string | null;
      readonly pid: number | null;
      readonly acquiredAtMs: number | null;
      readonly expiresAtMs: number | null;
    }
  | { readonly kind: 'garbage'; readonly bytes: number }
  | { readonly kind: 'unreadable'; readonly code: string };

/** What the watchdog sees beside the state, read only. */
export interface Sight {
  readonly heartbeat: Heartbeat | null;
  readonly heartbeatProblem: string | null;
  /** The error code reading STATE_FILE gave (EISDIR, EIO, EACCES …); null when it reads, or is not there yet. */
  readonly stateProblem: string | null;
  /** The lock file; null when there is none. */
  readonly lock: LockSeen | null;
  /** The causes the failure handler recorded (from onFailure events). */
  readonly failures: readonly (Pick<Cause, 'kind' | 'text' | 'lastAtMs'> & { readonly requestId?: string | null })[];
}

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code ?? 'error';

/** The error code reading STATE_FILE gives (EISDIR, EIO, EACCES …), or null when it reads or is not there yet. Read only. */
export async function stateProblem(stateFile: string): Promise<string | null> {
  try {
    const handle = await fs.open(stateFile, 'r');
    try {
      await handle.read(Buffer.alloc(STATE_PROBE_BYTES), 0, STATE_PROBE_BYTES, 0);
    } finally {
      await handle.close();
    }
    return null;
  } catch (err) {
    const code = codeOf(err);
    return code === 'ENOENT' ? null : code;
  }
}

const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : null);

/** The monitor's lock (`<STATE_FILE>.lock`: {token, host, pid, acquiredAtMs, expiresAtMs}, or garbage), read only. */
export async function readLock(stateFile: string): Promise<LockSeen | null> {
  let text: string;
  try {
    const handle = await fs.open(`${stateFile}.lock`, 'r');
    try {
      const buf = Buffer.alloc(LOCK_MAX_BYTES + 1);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      if (bytesRead > LOCK_MAX_BYTES) return { kind: 'garbage', bytes: bytesRead };
      text = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    const code = codeOf(err);
    return code === 'ENOENT' ? null : { kind: 'unreadable', code };
  }
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('not an object');
    return {
      kind: 'held',
      host: typeof raw.host === 'string' ? raw.host.slice(0, 100) : null,
      pid: num(raw.pid),
      acquiredAtMs: num(raw.acquiredAtMs),
      expiresAtMs: num(raw.expiresAtMs),
    };
  } catch {
    return { kind: 'garbage', bytes: Buffer.byteLength(text) };
  }
}

/** Everything the watchdog looks at beside the state, read only: it never writes the monitor's files. */
export async function look(stateFile: string, memory: Memory): Promise<Sight> {
  const [beat, state, lock] = await Promise.all([readHeartbeat(stateFile), stateProblem(stateFile), readLock(stateFile)]);
  return {
    heartbeat: beat.heartbeat,
    heartbeatProblem: beat.problem,
    stateProblem: state,
    lock,
    failures: Object.values(memory.causes).map((c) => ({ kind: c.kind, text: c.text, lastAtMs: c.lastAtMs, requestId: c.requestId })),
  };
}
