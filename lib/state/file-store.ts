import { createHash, randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { parseState } from './migrate';
import { type MonitorState, StateError } from './schema';

/** A state as loaded, and the version it was converted from, if any. */
export interface Loaded {
  readonly state: MonitorState;
  readonly migratedFrom: number | null;
}

/** Who holds the lock, when this run could not take it. */
export interface LockHolder {
  readonly host?: string;
  readonly pid?: number;
  readonly expiresAtMs?: number;
}

/** Where the monitor keeps its state: a few methods, so that other stores (memory, OSS) fit behind it. */
export interface StateStore {
  /** Human-readable location, for logs. */
  readonly location: string;
  /** The saved state, or null when there is none. Never changes a file; throws StateError when it cannot be used. */
  load(nowMs: number): Promise<Loaded | null>;
  /** Moves a refused state file aside, for a real run that holds the lock only; returns where it went. */
  quarantine(nowMs: number): Promise<string | null>;
  save(state: MonitorState): Promise<void>;
  /** Takes the single-runner lock for `ttlMs`; returns the holder when another live run has it. */
  lock(ttlMs: number, nowMs: number): Promise<{ held: true } | { held: false; holder: LockHolder }>;
  unlock(): Promise<void>;
  /** Throws StateError('StateIo') when the location cannot be written; changes nothing that exists. */
  probeWritable(): Promise<void>;
}

/** How far past its own lifetime a lock may claim to live before it is taken for a clock that ran ahead. */
const LOCK_SLACK_MS = 60_000;
const MARKER_TTL_MS = 3600_000;

function io(err: unknown, what: string): StateError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return new StateError('StateIo', `cannot ${what} ${code === 'EACCES' || code === 'EROFS' || code === 'EPERM' ? '(no write permission)' : `(${code})`}`, {
    cause: err,
  });
}

/**
 * A JSON file, written atomically (temp file, fsync, rename), with a lock file beside it. Loading never writes;
 * a refused file is moved aside only by `quarantine`. Taking over a dead run's lock has exactly one winner: the
 * right to replace a given stale lock is claimed by creating a marker named after it, exclusively.
 */
export class FileStateStore implements StateStore {
  private readonly lockFile: string;
  private lockToken: string | null = null;

  constructor(readonly location: string) {
    this.lockFile = `${location}.lock`;
  }

  async load(nowMs: number): Promise<Loaded | null> {
    let text: string;
    try {
      text = await fs.readFile(this.location, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw io(err, 'read the state file');
    }
    return parseState(text, nowMs);
  }

  async quarantine(nowMs: number): Promise<string | null> {
    const aside = `${this.location}.bad-${new Date(nowMs).toISOString().replace(/[:.]/g, '-')}`;
    try {
      await fs.rename(this.location, aside);
      return aside;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw io(err, 'move the refused state file aside');
    }
  }

  async save(state: MonitorState): Promise<void> {
    const tmp = `${this.location}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
    try {
      await fs.mkdir(path.dirname(this.location), { recursive: true });
      const handle = await fs.open(tmp, 'w');
      try {
        await handle.writeFile(JSON.stringify(state));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(tmp, this.location);
    } catch (err) {
      await fs.unlink(tmp).catch(() => undefined);
      throw io(err, `write the state file ${this.location}`);
    }
  }

  async probeWritable(): Promise<void> {
    // Creates nothing that stays: a folder that does not exist yet is judged by its nearest existing parent.
    let dir = path.dirname(this.location);
    while (!(await fs.stat(dir).catch(() => null))) {
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    const probe = path.join(dir, `.vod-refresh-monitor-probe-${randomUUID().slice(0, 8)}`);
    try {
      await fs.writeFile(probe, 'probe', { flag: 'wx' });
      await fs.unlink(probe);
    } catch (err) {
      throw io(err, `write in ${dir}`);
    }
  }

  async lock(ttlMs: number, nowMs: number): Promise<{ held: true } | { held: false; holder: LockHolder }> {
    const token = randomUUID();
    const body = JSON.stringify({ token, host: hostname(), pid: process.pid, acquiredAtMs: nowMs, expiresAtMs: nowMs + ttlMs });
    try {
      await fs.mkdir(path.dirname(this.location), { recursive: true });
    } catch (err) {
      throw io(err, `create ${path.dirname(this.location)}`);
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.create(body)) return this.took(token);
      const seen = await this.readLock();
      if (seen === null) continue; // released meanwhile: try again
      if (!isDead(seen.parsed, ttlMs, nowMs)) return { held: false, holder: seen.parsed };
      if (await this.takeOver(seen.id, body, token)) return this.took(token);
      return { held: false, holder: seen.parsed };
    }
    return { held: false, holder: {} };
  }

  async unlock(): Promise<void> {
    if (!this.lockToken) return;
    const seen = await this.readLock().catch(() => null);
    if (seen?.parsed.token === this.lockToken) await fs.unlink(this.lockFile).catch(() => undefined);
    this.lockToken = null;
  }

  private async create(body: string): Promise<boolean> {
    try {
      await fs.writeFile(this.lockFile, body, { flag: 'wx' });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw io(err, `write the lock file ${this.lockFile}`);
    }
  }

  /** The lock as it is now, with an id for this exact content (its token, or a digest when it is garbage). */
  private async readLock(): Promise<{ id: string; parsed: LockHolder & { token?: string } } | null> {
    let text: string;
    try {
      text = await fs.readFile(this.lockFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw io(err, 'read the lock file');
    }
    let parsed: LockHolder & { token?: string } = {};
    try {
      const raw = JSON.parse(text) as Record<string, unknown>;
      parsed = {
        ...(typeof raw.token === 'string' ? { token: raw.token } : {}),
        ...(typeof raw.host === 'string' ? { host: raw.host } : {}),
        ...(typeof raw.pid === 'number' ? { pid: raw.pid } : {}),
        ...(typeof raw.expiresAtMs === 'number' ? { expiresAtMs: raw.expiresAtMs } : {}),
      };
    } catch {
      parsed = {};
    }
    const id = parsed.token && /^[0-9a-f-]{36}$/.test(parsed.token) ? parsed.token : createHash('sha1').update(text).digest('hex');
    return { id, parsed };
  }

  /** Replaces the stale lock `staleId` unless another run already claimed it: one winner. */
  private async takeOver(staleId: string, body: string, token: string): Promise<boolean> {
    const marker = `${this.lockFile}.takeover-${staleId}`;
    try {
      await fs.writeFile(marker, token, { flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw io(err, 'write the lock takeover marker');
    }
    const now = await this.readLock();
    if (now !== null && now.id !== staleId) return false;
    const tmp = `${this.lockFile}.${token}`;
    await fs.writeFile(tmp, body);
    await fs.rename(tmp, this.lockFile);
    const after = await this.readLock();
    return after?.parsed.token === token;
  }

  private async took(token: string): Promise<{ held: true }> {
    this.lockToken = token;
    await this.sweepMarkers().catch(() => undefined);
    return { held: true };
  }

  /** Markers of takeovers long finished (file times are the file system's, so the real clock is used). */
  private async sweepMarkers(): Promise<void> {
    const nowMs = Date.now();
    const dir = path.dirname(this.lockFile);
    const prefix = `${path.basename(this.lockFile)}.takeover-`;
    for (const name of await fs.readdir(dir)) {
      if (!name.startsWith(prefix)) continue;
      const file = path.join(dir, name);
      const st = await fs.stat(file).catch(() => null);
      if (st && nowMs - st.mtimeMs > MARKER_TTL_MS) await fs.unlink(file).catch(() => undefined);
    }
  }
}

/** A lock past its expiry, claiming to live longer than a run can, unreadable, or held by a dead process here. */
function isDead(lock: LockHolder, ttlMs: number, nowMs: number): boolean {
  if (typeof lock.expiresAtMs !== 'number') return true;
  if (lock.expiresAtMs <= nowMs) return true;
  if (lock.expiresAtMs - nowMs > ttlMs + LOCK_SLACK_MS) return true;
  return lock.host === hostname() && typeof lock.pid === 'number' && lock.pid !== process.pid && !processExists(lock.pid);
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
