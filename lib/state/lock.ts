import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { errnoOf, type StateFs } from './fs';

/** Who holds the lock, when this run could not take it. */
export interface LockHolder {
  readonly host?: string;
  readonly pid?: number;
  readonly acquiredAtMs?: number;
  readonly expiresAtMs?: number;
}

export type LockResult = { held: true } | { held: false; holder: LockHolder };

/** How far past its own lifetime a lock may claim to live before it is taken for a clock that ran ahead. */
const LOCK_SLACK_MS = 60_000;
/**
 * A lock file that holds no lock (empty, torn: a run killed between creating and writing it, a full disk, a 0-byte
 * object on the OSS mount) is taken over once it has stayed so this long (a run writes its lock within
 * milliseconds of creating it).
 */
export const GARBAGE_GRACE_MS = 10_000;
/** Claims on one stale lock tried at most, each once the one before is older than a run can live. */
const MAX_CLAIMS = 8;

/** A lock that failed for a reason other than another run holding it: the file system refused. */
export class LockIoError extends Error {
  constructor(
    readonly errno: string,
    readonly file: string,
    what: string,
  ) {
    super(`cannot ${what} ${file} (${errno})`);
    this.name = 'LockIoError';
  }
}

interface Seen {
  /** This exact lock: its content, inode, size and time, so two empty locks left at two moments are two locks. */
  readonly id: string;
  readonly parsed: LockHolder & { token?: string };
  readonly garbage: boolean;
  readonly ageMs: number;
}

/**
 * The single-runner lock beside the state: a file created exclusively. A dead run's lock (expired, claiming a
 * lifetime no run has, held by a dead process of this host, or garbage for GARBAGE_GRACE_MS) is taken over by
 * exactly one run: the right to replace that exact lock is claimed by creating a marker named after it, exclusively;
 * a claim whose owner died (its marker older than a run can live) is passed over by the next claim. Every leftover
 * shape is recovered within one lock lifetime.
 */
export class FileLock {
  private token: string | null = null;

  constructor(
    readonly file: string,
    private readonly fs: StateFs,
    private readonly realNow: () => number = Date.now,
  ) {}

  async acquire(ttlMs: number, nowMs: number): Promise<LockResult> {
    const token = randomUUID();
    const body = JSON.stringify({ token, host: hostname(), pid: process.pid, acquiredAtMs: nowMs, expiresAtMs: nowMs + ttlMs });
    await this.io('create', () => this.fs.mkdir(path.dirname(this.file)));
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.create(body)) return this.took(token);
      const seen = await this.read();
      if (seen === null) continue; // released meanwhile: try again
      if (!isDead(seen, ttlMs, nowMs)) return { held: false, holder: holderOf(seen) };
      if (await this.takeOver(seen, body, token, ttlMs)) return this.took(token);
      return { held: false, holder: holderOf(seen) };
    }
    // Three times "exists" on create and "not there" on read: no run holds it, something unreadable stands there (a
    // dangling symbolic link). Said as a lock problem (the store falls back to this instance's lock), never a skip.
    throw new LockIoError('LOCK_UNREADABLE', this.file, 'read the lock file, which exists but is not a readable file:');
  }

  /** Releases the lock if this run still holds it. */
  async release(): Promise<void> {
    if (!this.token) return;
    const seen = await this.read().catch(() => null);
    if (seen?.parsed.token === this.token) await this.fs.unlink(this.file).catch(() => undefined);
    this.token = null;
  }

  private async io<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new LockIoError(errnoOf(err), this.file, what);
    }
  }

  /** Creates the lock with its content; a create whose write failed (a full disk) leaves no empty lock behind. */
  private async create(body: string): Promise<boolean> {
    try {
      await this.fs.writeFile(this.file, body, { exclusive: true });
      return true;
    } catch (err) {
      if (errnoOf(err) === 'EEXIST') return false;
      const seen = await this.read().catch(() => null);
      if (seen?.garbage) await this.fs.unlink(this.file).catch(() => undefined);
      throw new LockIoError(errnoOf(err), this.file, 'write the lock file');
    }
  }

  /** The lock as it is now, or null when there is none. */
  private async read(): Promise<Seen | null> {
    let text: string;
    let st: Awaited<ReturnType<StateFs['stat']>>;
    try {
      st = await this.fs.stat(this.file);
      text = await this.fs.readFile(this.file);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return null;
      throw new LockIoError(errnoOf(err), this.file, 'read the lock file');
    }
    const parsed = parseLock(text);
    const id = createHash('sha1').update(`${text}\n${st.ino}\n${st.size}\n${st.mtimeMs}`).digest('hex').slice(0, 20);
    return { id, parsed, garbage: parsed.expiresAtMs === undefined, ageMs: this.realNow() - st.mtimeMs };
  }

  /** Replaces the dead lock `seen` unless another run claimed it first: one winner. */
  private async takeOver(seen: Seen, body: string, token: string, ttlMs: number): Promise<boolean> {
    for (let n = 1; n <= MAX_CLAIMS; n++) {
      const marker = `${this.file}.takeover-${seen.id}.${n}`;
      try {
        await this.fs.writeFile(marker, JSON.stringify({ token, atMs: this.realNow() }), { exclusive: true });
      } catch (err) {
        if (errnoOf(err) !== 'EEXIST') throw new LockIoError(errnoOf(err), marker, 'write the lock takeover marker');
        // Another run claims this lock: it wins unless it died claiming (its claim is older than a run can live).
        if (!(await this.claimAbandoned(marker, ttlMs))) return false;
        continue;
      }
      const now = await this.read();
      if (now === null || now.id !== seen.id) return false;
      const tmp = `${this.file}.${token}`;
      await this.io('write the lock file', async () => {
        try {
          await this.fs.writeFile(tmp, body);
          await this.fs.rename(tmp, this.file);
        } catch (err) {
          await this.fs.unlink(tmp).catch(() => undefined);
          throw err;
        }
      });
      return (await this.read())?.parsed.token === token;
    }
    return false;
  }

  /** Whether a claim marker was left by a run that died (older than a run can live, by its content or its file time). */
  private async claimAbandoned(marker: string, ttlMs: number): Promise<boolean> {
    const atMs = await this.fs
      .readFile(marker)
      .then((t) => (JSON.parse(t) as { atMs?: unknown }).atMs)
      .catch(() => undefined);
    const when =
      typeof atMs === 'number'
        ? atMs
        : await this.fs.stat(marker).then(
            (s) => s.mtimeMs,
            () => this.realNow(),
          );
    return this.realNow() - when > ttlMs;
  }

  private async took(token: string): Promise<LockResult> {
    this.token = token;
    await this.sweep().catch(() => undefined);
    return { held: true };
  }

  /**
   * Every claim marker can go once this run holds the lock: a claimant checks, after creating its marker, that the
   * lock is still the one it claims, and it no longer is.
   */
  private async sweep(): Promise<void> {
    const dir = path.dirname(this.file);
    const prefix = `${path.basename(this.file)}.takeover-`;
    for (const name of await this.fs.readdir(dir)) if (name.startsWith(prefix)) await this.fs.unlink(path.join(dir, name)).catch(() => undefined);
  }
}

function parseLock(text: string): LockHolder & { token?: string } {
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    return {
      ...(typeof raw.token === 'string' ? { token: raw.token } : {}),
      ...(typeof raw.host === 'string' ? { host: raw.host } : {}),
      ...(typeof raw.pid === 'number' ? { pid: raw.pid } : {}),
      ...(typeof raw.acquiredAtMs === 'number' ? { acquiredAtMs: raw.acquiredAtMs } : {}),
      ...(typeof raw.expiresAtMs === 'number' ? { expiresAtMs: raw.expiresAtMs } : {}),
    };
  } catch {
    return {};
  }
}

const holderOf = (s: Seen): LockHolder => {
  const { token: _token, ...holder } = s.parsed;
  return holder;
};

/** A lock past its expiry, claiming to live longer than a run can, held by a dead process here, or garbage long enough. */
function isDead(seen: Seen, ttlMs: number, nowMs: number): boolean {
  const lock = seen.parsed;
  if (seen.garbage) return Math.abs(seen.ageMs) > GARBAGE_GRACE_MS;
  if (lock.expiresAtMs! <= nowMs) return true;
  if (lock.expiresAtMs! - nowMs > ttlMs + LOCK_SLACK_MS) return true;
  return lock.host === hostname() && typeof lock.pid === 'number' && lock.pid !== process.pid && !processExists(lock.pid);
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoOf(err) === 'EPERM';
  }
}
