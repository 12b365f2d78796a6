import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { StateError, type StateIo, stateIoError } from './errors';
import { errnoOf, nodeFs, type StateFs } from './fs';
import { applyDelta, carriedOf, LEDGER_FIELDS, LedgerParser, type LedgerPart, ledgerDelta, ledgerLines, MAX_DELTA } from './ledger-file';
import { FileLock, LockIoError, type LockResult } from './lock';
import { checkState, parseJson } from './migrate';
import type { MonitorState } from './schema';

export type { LockHolder } from './lock';

/** A state as loaded, and the version it was converted from, if any. */
export interface Loaded {
  readonly state: MonitorState;
  readonly migratedFrom: number | null;
}

/** Where the monitor keeps its state: a few methods, so that other stores (memory, a fallback) fit behind it. */
export interface StateStore {
  /** Human-readable location, for logs. */
  readonly location: string;
  /** The saved state, or null when there is none. Never changes a file; throws StateError when it cannot be used. */
  load(nowMs: number): Promise<Loaded | null>;
  /** Moves a refused state file aside, for a real run that holds the lock only; returns where it went. */
  quarantine(nowMs: number): Promise<string | null>;
  save(state: MonitorState): Promise<void>;
  /** Takes the single-runner lock for `ttlMs`; returns the holder when another live run has it. */
  lock(ttlMs: number, nowMs: number): Promise<LockResult>;
  unlock(): Promise<void>;
  /** Throws StateError('StateIo') when the location cannot be written; changes nothing that exists. */
  probeWritable(): Promise<void>;
  /** A store that can fall back (lib/state/resilient-store.ts): the file-system problems this run met. */
  readonly problems?: readonly StateIo[];
  /** A store that can fall back: whether the last save reached where the state belongs. */
  readonly savedWhereItBelongs?: boolean;
}

/**
 * The large part of the state: what was told, what is watched and followed. It lives in a file of its own, written
 * only when it changed, so that a quiet run rewrites a few hundred bytes on the mount, not megabytes.
 */

/** The ledger part beside a state file. */
export const ledgerFile = (stateFile: string) => `${stateFile}.ledger.json`;

/**
 * A JSON state in two files written atomically (temp file, fsync, rename): the head (every run) and the ledger part
 * (only when it changed; written first, so a head never names a ledger older than itself: a newer ledger with an
 * older head only holds more that was told). A lock file beside them (lib/state/lock.ts). Loading never writes; a
 * refused file is moved aside only by `quarantine`.
 */
export class FileStateStore implements StateStore {
  private readonly locker: FileLock;
  /**
   * The ledger as last loaded or saved (its file plus the head's delta), which write of the file that is, and the
   * keys the head's delta carries: a save compares the state with it and writes only what changed.
   */
  private ledger: { base: LedgerPart; gen: number; carried: ReadonlyMap<string, readonly [string, string]> } | null = null;

  constructor(
    readonly location: string,
    private readonly fs: StateFs = nodeFs,
    /** How many changed entries the head may carry before the ledger file is written whole again. */
    private readonly maxDelta = MAX_DELTA,
  ) {
    this.locker = new FileLock(`${location}.lock`, fs);
  }

  async load(nowMs: number): Promise<Loaded | null> {
    const head = await this.readText(this.location);
    if (head === null) return null;
    const doc = parseJson(head, 'the state file') as Record<string, unknown> | null;
    const split = doc !== null && typeof doc === 'object' && doc.ledgerFile === true;
    let gen = 0;
    let carried: ReadonlyMap<string, readonly [string, string]> = new Map();
    if (split) {
      const ledger = await this.readLedger();
      const headGen = Number.isSafeInteger(doc.ledgerGen) ? (doc.ledgerGen as number) : 0;
      if (ledger.gen < headGen)
        throw new StateError('StateCorrupt', `the ledger part of the state (${ledgerFile(this.location)}) is older than the state file`);
      // A ledger newer than the head (the head's save failed after it) already holds what the head's delta says.
      if (ledger.gen === headGen) carried = applyDelta(ledger.part, doc.ledgerDelta);
      gen = ledger.gen;
      Object.assign(doc, ledger.part);
      for (const f of ['ledgerFile', 'ledgerGen', 'ledgerDelta']) delete doc[f];
    }
    const loaded = checkState(doc, nowMs);
    // A state written whole in one file: the ledger file on disk (if any) is not what was loaded; the next save writes it.
    this.ledger = split ? { base: pick(loaded.state), gen, carried } : null;
    return loaded;
  }

  async quarantine(nowMs: number): Promise<string | null> {
    const aside = `${this.location}.bad-${new Date(nowMs).toISOString().replace(/[:.]/g, '-')}`;
    try {
      await this.fs.rename(this.location, aside);
      await this.fs.rename(ledgerFile(this.location), `${aside}.ledger.json`).catch(() => undefined);
      this.ledger = null;
      return aside;
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return null;
      throw stateIoError('write', this.location, errnoOf(err), 'cannot move the refused state file aside');
    }
  }

  async save(state: MonitorState): Promise<void> {
    const part = pick(state);
    await this.io('write', this.location, () => this.fs.mkdir(path.dirname(this.location)));
    // A few changes go in the head (a delta over the ledger file); many, or no ledger file yet, rewrite the file.
    const was = this.ledger;
    let delta = was ? ledgerDelta(was.base, part, was.carried, this.maxDelta) : null;
    let gen = was?.gen ?? 0;
    if (delta === null) {
      gen++;
      await this.writeAtomically(ledgerFile(this.location), ledgerLines(part, gen));
      // The file is written: what a later save compares with, even if the head's write below fails.
      this.ledger = { base: part, gen, carried: new Map() };
      delta = [];
    }
    const head: Record<string, unknown> = { ...state, ledgerFile: true, ledgerGen: gen, ledgerDelta: delta };
    for (const f of LEDGER_FIELDS) delete head[f];
    await this.writeAtomically(this.location, JSON.stringify(head));
    this.ledger = { base: part, gen, carried: carriedOf(delta) };
  }

  /** Removes the state's files (a copy no longer needed); the lock stays as it is. */
  async discard(): Promise<void> {
    for (const f of [ledgerFile(this.location), this.location]) await this.fs.unlink(f).catch(() => undefined);
    this.ledger = null;
  }

  async probeWritable(): Promise<void> {
    // Creates nothing that stays: a folder that does not exist yet is judged by its nearest existing parent.
    let dir = path.dirname(this.location);
    while (!(await this.fs.stat(dir).catch(() => null))) {
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
    }
    const probe = path.join(dir, `.vod-refresh-monitor-probe-${randomUUID().slice(0, 8)}`);
    await this.io('write', dir, async () => {
      await this.fs.writeFile(probe, 'probe', { exclusive: true });
      await this.fs.unlink(probe);
    });
  }

  async lock(ttlMs: number, nowMs: number): Promise<LockResult> {
    try {
      return await this.locker.acquire(ttlMs, nowMs);
    } catch (err) {
      if (err instanceof LockIoError) throw stateIoError('lock', err.file, err.errno, err.message);
      throw err;
    }
  }

  unlock(): Promise<void> {
    return this.locker.release();
  }

  /** A file's text, or null when there is none. */
  private async readText(file: string): Promise<string | null> {
    try {
      return await this.fs.readFile(file);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return null;
      throw stateIoError('read', file, errnoOf(err));
    }
  }

  /** The ledger part (./ledger-file), read line by line: a state at its caps is never one string in memory. */
  private async readLedger(): Promise<{ part: Record<string, Record<string, unknown>>; gen: number }> {
    const file = ledgerFile(this.location);
    const parser = new LedgerParser(file);
    try {
      await this.fs.readLines(file, (line) => parser.line(line));
    } catch (err) {
      if (err instanceof StateError) throw err;
      if (errnoOf(err) === 'ENOENT') throw new StateError('StateCorrupt', `the ledger part of the state (${file}) is missing`);
      throw stateIoError('read', file, errnoOf(err));
    }
    return { part: parser.end(), gen: parser.gen };
  }

  private async writeAtomically(file: string, body: string | Iterable<string>): Promise<void> {
    const tmp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
    await this.io('write', file, async () => {
      try {
        if (typeof body === 'string') await this.fs.writeFile(tmp, body, { durable: true });
        else await this.fs.writeChunks(tmp, body, { durable: true });
        await this.fs.rename(tmp, file);
      } catch (err) {
        await this.fs.unlink(tmp).catch(() => undefined);
        throw err;
      }
    });
  }

  private async io(op: 'read' | 'write', file: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      throw stateIoError(op, file, errnoOf(err));
    }
  }
}

const pick = (s: MonitorState): LedgerPart => ({
  reported: s.reported,
  heldKeys: s.heldKeys,
  watching: s.watching,
  failedPaths: s.failedPaths,
  recoveredPaths: s.recoveredPaths,
});
