import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { parseState, StateError, type MonitorState } from './schema';

/** Where the monitor keeps its state: a few methods, so that other stores (OSS, NAS, memory) fit behind it. */
export interface StateStore {
  /** The saved state, or null on a first run. Throws StateError when it cannot be trusted. */
  load(): Promise<MonitorState | null>;
  save(state: MonitorState): Promise<void>;
  /** Takes the single-runner lock; false when another live run holds it. */
  lock(ttlMs: number, nowMs: number): Promise<boolean>;
  unlock(): Promise<void>;
  /** Human-readable location, for logs. */
  readonly location: string;
}

/** A JSON file, written atomically (temp file, fsync, rename); a bad file is moved aside, never overwritten. */
export class FileStateStore implements StateStore {
  private readonly lockFile: string;
  private lockToken: string | null = null;

  constructor(readonly location: string) {
    this.lockFile = `${location}.lock`;
  }

  async load(): Promise<MonitorState | null> {
    let text: string;
    try {
      text = await fs.readFile(this.location, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new StateError('StateIo', `cannot read the state file: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    try {
      return parseState(text);
    } catch (err) {
      if (err instanceof StateError) {
        const aside = `${this.location}.bad-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        await fs.rename(this.location, aside).catch(() => undefined);
        throw new StateError(err.code, `${err.message}. It was moved to ${aside}`, aside);
      }
      throw err;
    }
  }

  async save(state: MonitorState): Promise<void> {
    await fs.mkdir(path.dirname(this.location), { recursive: true });
    const tmp = `${this.location}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(JSON.stringify(state));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, this.location);
  }

  async lock(ttlMs: number, nowMs: number): Promise<boolean> {
    await fs.mkdir(path.dirname(this.location), { recursive: true });
    const token = randomUUID();
    const body = JSON.stringify({ token, host: hostname(), pid: process.pid, expiresAtMs: nowMs + ttlMs });
    try {
      await fs.writeFile(this.lockFile, body, { flag: 'wx' });
      this.lockToken = token;
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    // A lock past its expiry, or held by a process of this host that no longer exists, belongs to a run that
    // died: take it over by replacing it atomically.
    let held: { expiresAtMs?: number; host?: string; pid?: number } = {};
    try {
      held = JSON.parse(await fs.readFile(this.lockFile, 'utf8'));
    } catch {
      held = {};
    }
    const live = typeof held.expiresAtMs === 'number' && held.expiresAtMs > nowMs;
    if (live && !(held.host === hostname() && typeof held.pid === 'number' && !processExists(held.pid))) return false;
    const tmp = `${this.lockFile}.${token}`;
    await fs.writeFile(tmp, body);
    await fs.rename(tmp, this.lockFile);
    const now = JSON.parse(await fs.readFile(this.lockFile, 'utf8')) as { token?: string };
    if (now.token !== token) return false;
    this.lockToken = token;
    return true;
  }

  async unlock(): Promise<void> {
    if (!this.lockToken) return;
    try {
      const held = JSON.parse(await fs.readFile(this.lockFile, 'utf8')) as { token?: string };
      if (held.token === this.lockToken) await fs.unlink(this.lockFile);
    } catch {
      // already gone
    }
    this.lockToken = null;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
