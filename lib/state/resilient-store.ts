import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { realSleep } from '../ports';
import { withBridge } from './bridge';
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

/** Errors of the mount that a second read a moment later often does not meet (an OSS GetObject that failed once). */
const TRANSIENT = new Set(['EIO', 'EAGAIN', 'EBUSY', 'ETIMEDOUT', 'ECONNRESET', 'ENOTCONN', 'EINTR']);
/** The waits before the second and third read of a state that failed with one of those. */
export const READ_RETRY_MS = [100, 400] as const;

/**
 * The state where it belongs (the OSS mount), and a copy in this instance's /tmp for when it cannot be read or
 * written: the run goes on from the copy, so new failures are still told (at least once: a cold instance has no
 * copy, and tells again what the lost state knew), and every problem is kept for the run to tell on-call. Whichever
 * of the two was saved last is the one loaded — except a copy begun afresh because the state could not be read: that
 * one never replaces the state it could not read (which may hold alerts still waiting); once that state is read
 * again, it takes what the bridge's runs delivered and queued (./bridge).
 * Only when neither can be saved does a save fail.
 */
export class ResilientStore implements StateStore {
  /** The file-system problems this run met, in order. */
  readonly problems: StateIo[] = [];
  /** The last save reached the real location. */
  savedWhereItBelongs = false;
  /** This run could not read the real location: the copy is kept up to date too, for the next run to read. */
  private unreadable = false;
  /** This run's state was begun without the one where it belongs (unreadable): it is saved to the copy only. */
  private begunWithoutMs: number | null = null;

  constructor(
    private readonly primary: StateStore,
    private readonly copy: StateStore & { discard(): Promise<void> },
    private readonly now: () => number,
    private readonly retryMs: readonly number[] = READ_RETRY_MS,
  ) {}

  get location(): string {
    return this.primary.location;
  }

  async load(nowMs: number): Promise<Loaded | null> {
    const { loaded, failed } = await this.loadPrimary(nowMs);
    const copy = await this.copy.load(nowMs).catch(() => null);
    const begunWithout = copy?.state.begunWithoutMs ?? null;
    if (failed) {
      // Unreadable where it belongs: the copy bridges the outage; with none, the run begins afresh, in the copy only.
      this.begunWithoutMs = copy ? begunWithout : nowMs;
      return copy;
    }
    if (copy && begunWithout !== null) return loaded ? { ...loaded, state: withBridge(loaded.state, copy.state) } : copy;
    if (copy && (copy.state.savedAtMs ?? 0) > (loaded?.state.savedAtMs ?? 0)) return copy;
    return loaded;
  }

  private async loadPrimary(nowMs: number): Promise<{ loaded: Loaded | null; failed: boolean }> {
    for (let attempt = 0; ; attempt++) {
      try {
        return { loaded: await this.primary.load(nowMs), failed: false };
      } catch (err) {
        if (!isIo(err)) throw err;
        if (TRANSIENT.has(err.io!.errno) && attempt < this.retryMs.length) {
          await realSleep(this.retryMs[attempt]!);
          continue;
        }
        this.note(err.io!);
        this.unreadable = true;
        return { loaded: null, failed: true };
      }
    }
  }

  async save(state: MonitorState): Promise<void> {
    const stamped = { ...state, savedAtMs: this.now(), begunWithoutMs: this.begunWithoutMs };
    if (this.begunWithoutMs === null) {
      try {
        await this.primary.save(stamped);
        this.savedWhereItBelongs = true;
        if (this.unreadable) await this.copy.save(stamped).catch(() => undefined);
        else await this.copy.discard().catch(() => undefined);
        return;
      } catch (err) {
        if (!isIo(err)) throw err;
        this.note(err.io!);
      }
    }
    this.savedWhereItBelongs = false;
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
