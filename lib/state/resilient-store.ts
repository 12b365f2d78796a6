import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StateError, type StateIo } from './errors';
import type { Loaded, StateStore } from './file-store';
import type { LockResult } from './lock';
import type { MonitorState } from './schema';

/** Where an instance keeps its copy of the state when the real location cannot be used. */
export function fallbackLocation(stateFile: string, dir = tmpdir()): string {
  const id = createHash('sha1').update(path.resolve(stateFile)).digest('hex').slice(0, 12);
  return path.join(dir, 'vod-refresh-monitor', id, 'state.json');
}

const isIo = (err: unknown): err is StateError => err instanceof StateError && err.code === 'StateIo' && err.io !== null;

/**
 * The state where it belongs (the OSS mount), and a copy in this instance's /tmp for when it cannot be read or
 * written: the run goes on from the copy, so new failures are still told (at least once: a cold instance has no
 * copy, and tells again what the lost state knew), and every problem is kept for the run to tell on-call. Whichever
 * of the two was saved last is the one loaded. Only when neither can be saved does a save fail.
 */
export class ResilientStore implements StateStore {
  /** The file-system problems this run met, in order. */
  readonly problems: StateIo[] = [];
  /** The last save reached the real location. */
  savedWhereItBelongs = false;
  /** This run could not read the real location: the copy is kept up to date too, for the next run to read. */
  private unreadable = false;

  constructor(
    private readonly primary: StateStore,
    private readonly copy: StateStore & { discard(): Promise<void> },
    private readonly now: () => number,
  ) {}

  get location(): string {
    return this.primary.location;
  }

  async load(nowMs: number): Promise<Loaded | null> {
    let loaded: Loaded | null = null;
    let failed = false;
    try {
      loaded = await this.primary.load(nowMs);
    } catch (err) {
      if (!isIo(err)) throw err;
      this.note(err.io!);
      failed = true;
      this.unreadable = true;
    }
    const copy = await this.copy.load(nowMs).catch(() => null);
    if (copy && (failed || (copy.state.savedAtMs ?? 0) > (loaded?.state.savedAtMs ?? 0))) return copy;
    return loaded;
  }

  async save(state: MonitorState): Promise<void> {
    const stamped = { ...state, savedAtMs: this.now() };
    try {
      await this.primary.save(stamped);
      this.savedWhereItBelongs = true;
      if (this.unreadable) await this.copy.save(stamped).catch(() => undefined);
      else await this.copy.discard().catch(() => undefined);
      return;
    } catch (err) {
      if (!isIo(err)) throw err;
      this.note(err.io!);
      this.savedWhereItBelongs = false;
    }
    try {
      await this.copy.save(stamped);
    } catch (err) {
      if (isIo(err)) this.note(err.io!);
      throw err;
    }
  }

  async quarantine(nowMs: number): Promise<string | null> {
    try {
      return await this.primary.quarantine(nowMs);
    } catch (err) {
      if (!isIo(err)) throw err;
      this.note(err.io!);
      return null;
    }
  }

  /** The lock beside the state; when the file system refuses it, this instance's own (Function Compute runs one at a time). */
  async lock(ttlMs: number, nowMs: number): Promise<LockResult> {
    try {
      return await this.primary.lock(ttlMs, nowMs);
    } catch (err) {
      if (!isIo(err)) throw err;
      this.note(err.io!);
      return this.copy.lock(ttlMs, nowMs);
    }
  }

  async unlock(): Promise<void> {
    await this.primary.unlock().catch(() => undefined);
    await this.copy.unlock().catch(() => undefined);
  }

  probeWritable(): Promise<void> {
    return this.primary.probeWritable();
  }

  private note(io: StateIo): void {
    if (!this.problems.some((p) => p.op === io.op && p.errno === io.errno && p.file === io.file)) this.problems.push(io);
  }
}
