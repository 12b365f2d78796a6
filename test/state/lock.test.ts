import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { nodeFs } from '../../lib/state/fs';
import { FileLock, GARBAGE_GRACE_MS, LockIoError } from '../../lib/state/lock';
import { faultyFs } from '../helpers/faulty-fs';

const NOW = Date.now();
const TTL = 150_000;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function lockFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'vrm-lock-'));
  dirs.push(dir);
  return path.join(dir, 'state.json.lock');
}
/** Sets a file's times `agoMs` in the past (real time: file times are the file system's). */
const age = (file: string, agoMs: number) => utimesSync(file, new Date(Date.now() - agoMs), new Date(Date.now() - agoMs));
const markers = (file: string) => readdirSync(path.dirname(file)).filter((n) => n.includes('.takeover-'));

describe('FileLock: one runner at a time, and no leftover can wedge it', () => {
  it('one holder; a second runner is refused and told who holds it; released, it can be taken', async () => {
    const file = lockFile();
    const a = new FileLock(file, nodeFs);
    const b = new FileLock(file, nodeFs);
    expect(await a.acquire(TTL, NOW)).toEqual({ held: true });
    const refused = await b.acquire(TTL, NOW + 1000);
    expect(refused).toEqual({ held: false, holder: { host: hostname(), pid: process.pid, acquiredAtMs: NOW, expiresAtMs: NOW + TTL } });
    await a.release();
    expect(await b.acquire(TTL, NOW + 2000)).toEqual({ held: true });
  });

  // Each leftover shape, left behind twice in a row (the first takeover must not make the second impossible).
  it.each([
    ['empty (killed between create and write)', () => ''],
    ['torn JSON', () => '{"token":"a1b2","host":"fc-instance-7","pid":'],
    ['expired', () => JSON.stringify({ token: 't', host: 'other', pid: 1, acquiredAtMs: NOW - 2 * TTL, expiresAtMs: NOW - TTL })],
    ['claiming a lifetime no run has', () => JSON.stringify({ token: 't', host: 'other', pid: 1, acquiredAtMs: NOW, expiresAtMs: NOW + 365 * 86_400_000 })],
    [
      'of a dead process of this host',
      () => JSON.stringify({ token: 't', host: hostname(), pid: 2 ** 22 + 4321, acquiredAtMs: NOW, expiresAtMs: NOW + 60_000 }),
    ],
  ])('a lock %s, left twice: taken over each time, by exactly one of four runners', async (_name, content) => {
    const file = lockFile();
    for (let round = 0; round < 2; round++) {
      writeFileSync(file, content());
      age(file, GARBAGE_GRACE_MS + 5000 + round * 1000);
      const runners = Array.from({ length: 4 }, () => new FileLock(file, nodeFs));
      const results = await Promise.all(runners.map((r) => r.acquire(TTL, NOW)));
      expect(results.filter((r) => r.held)).toHaveLength(1);
      await runners[results.findIndex((r) => r.held)]!.release();
      expect(markers(file)).toEqual([]);
    }
  });

  it('a lock file being written right now (empty, seconds old) is not taken from its writer', async () => {
    const file = lockFile();
    writeFileSync(file, '');
    expect((await new FileLock(file, nodeFs).acquire(TTL, NOW)).held).toBe(false);
  });

  it('a takeover killed halfway (a stale lock and a claim 15 minutes old): the next run takes over', async () => {
    const file = lockFile();
    writeFileSync(file, JSON.stringify({ token: 't', host: 'other', pid: 1, acquiredAtMs: NOW - 20 * 60_000, expiresAtMs: NOW - 15 * 60_000 }));
    // The killed claimant's marker, named after that very lock (any name it could have had: claim every shape).
    const first = new FileLock(file, faultyFs([{ ops: ['rename'], where: 'state.json.lock', errno: 'EIO' }]).fs);
    await expect(first.acquire(TTL, NOW - 15 * 60_000)).rejects.toBeInstanceOf(LockIoError);
    for (const m of markers(file)) age(path.join(path.dirname(file), m), 15 * 60_000);
    writeFileSync(path.join(path.dirname(file), markers(file)[0]!), JSON.stringify({ token: 'killed', atMs: Date.now() - 15 * 60_000 }));
    expect(markers(file)).toHaveLength(1);
    const runners = Array.from({ length: 3 }, () => new FileLock(file, nodeFs));
    const results = await Promise.all(runners.map((r) => r.acquire(TTL, NOW)));
    expect(results.filter((r) => r.held)).toHaveLength(1);
    expect(markers(file)).toEqual([]);
  });

  it('a claim marker whose owner is alive (fresh) keeps its claim: no second winner', async () => {
    const file = lockFile();
    writeFileSync(file, JSON.stringify({ token: 't', host: 'other', pid: 1, acquiredAtMs: NOW - TTL * 2, expiresAtMs: NOW - TTL }));
    const spy = faultyFs();
    // Stop a right after its claim, before it replaces the lock: b comes while a's claim is fresh.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = {
      ...spy.fs,
      rename: async (f: string, t: string) => {
        await gate;
        return spy.fs.rename(f, t);
      },
    };
    const pending = new FileLock(file, slow).acquire(TTL, NOW);
    await new Promise((r) => setTimeout(r, 50));
    expect((await new FileLock(file, nodeFs).acquire(TTL, NOW)).held).toBe(false);
    release();
    expect(await pending).toEqual({ held: true });
  });

  it('a full disk leaves no empty lock behind; with room again, the next run takes the lock', async () => {
    const file = lockFile();
    const disk = faultyFs([{ ops: ['writeFile'], where: 'state.json.lock', errno: 'ENOSPC' }]);
    await expect(new FileLock(file, disk.fs).acquire(TTL, NOW)).rejects.toMatchObject({ errno: 'ENOSPC' });
    expect(readdirSync(path.dirname(file))).toEqual([]);
    disk.heal();
    expect(await new FileLock(file, disk.fs).acquire(TTL, NOW)).toEqual({ held: true });
  });

  it('a full disk that kept even the empty file (its unlink failed too): once there is room, taken over after the grace', async () => {
    const file = lockFile();
    const disk = faultyFs([
      { ops: ['writeFile'], where: 'state.json.lock', errno: 'ENOSPC' },
      { ops: ['unlink'], where: 'state.json.lock', errno: 'EIO' },
    ]);
    await expect(new FileLock(file, disk.fs).acquire(TTL, NOW)).rejects.toMatchObject({ errno: 'ENOSPC' });
    expect(readdirSync(path.dirname(file))).toEqual(['state.json.lock']);
    // Still full: the takeover's own claim cannot be written either; the run says why.
    age(file, GARBAGE_GRACE_MS + 1000);
    await expect(new FileLock(file, disk.fs).acquire(TTL, NOW)).rejects.toMatchObject({ errno: 'ENOSPC' });
    disk.heal();
    expect(await new FileLock(file, disk.fs).acquire(TTL, NOW)).toEqual({ held: true });
    expect(markers(file)).toEqual([]);
  });

  it('a live lock of another host is respected, and its holder named', async () => {
    const file = lockFile();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ token: 'x', host: 'other', pid: 1, acquiredAtMs: NOW - 1000, expiresAtMs: NOW + 30_000 }));
    expect(await new FileLock(file, nodeFs).acquire(TTL, NOW)).toEqual({
      held: false,
      holder: { host: 'other', pid: 1, acquiredAtMs: NOW - 1000, expiresAtMs: NOW + 30_000 },
    });
  });
});

describe('FileLock: when a lock is dead, and what is said of its holder', () => {
  const live = (over: Record<string, unknown>) =>
    JSON.stringify({ token: 'x', host: 'other', pid: 1, acquiredAtMs: NOW - 1000, expiresAtMs: NOW + 30_000, ...over });
  const held = async (file: string, content: string) => {
    writeFileSync(file, content);
    return (await new FileLock(file, nodeFs).acquire(TTL, NOW)).held;
  };

  it('a lock expiring now is dead; one expiring a millisecond later is not', async () => {
    expect(await held(lockFile(), live({ expiresAtMs: NOW }))).toBe(true);
    expect(await held(lockFile(), live({ expiresAtMs: NOW + 1 }))).toBe(false);
  });

  it('a lock may claim up to a minute more than a run lives (clocks differ); more is a clock that ran ahead', async () => {
    expect(await held(lockFile(), live({ expiresAtMs: NOW + TTL + 60_000 }))).toBe(false);
    expect(await held(lockFile(), live({ expiresAtMs: NOW + TTL + 60_001 }))).toBe(true);
  });

  it("this very process's live lock is not dead, nor another host's with the same pid", async () => {
    expect(await held(lockFile(), live({ host: hostname(), pid: process.pid }))).toBe(false);
    expect(await held(lockFile(), live({ host: 'other', pid: 2 ** 22 + 4321 }))).toBe(false);
    expect(await held(lockFile(), live({ host: hostname(), pid: '4321' }))).toBe(false);
  });

  it('a live process of this host (pid 1 here) keeps its lock', async () => {
    expect(await held(lockFile(), live({ host: hostname(), pid: 1 }))).toBe(false);
  });

  it('a lock without an expiry is garbage: taken over once its file is older than the grace, either way of the clock', async () => {
    for (const [offset, taken] of [
      [GARBAGE_GRACE_MS, false],
      [GARBAGE_GRACE_MS + 1, true],
      [-GARBAGE_GRACE_MS, false],
      [-GARBAGE_GRACE_MS - 1, true],
    ] as const) {
      const file = lockFile();
      writeFileSync(file, live({ expiresAtMs: 'soon' }));
      const mtime = statSync(file).mtimeMs;
      expect((await new FileLock(file, nodeFs, () => mtime + offset).acquire(TTL, NOW)).held).toBe(taken);
    }
  });

  it('the holder is named by the fields of the right type only, never by its token', async () => {
    const file = lockFile();
    writeFileSync(file, JSON.stringify({ token: 'secret-ish', host: 7, pid: 'one', acquiredAtMs: 'then', expiresAtMs: NOW + 30_000 }));
    expect(await new FileLock(file, nodeFs).acquire(TTL, NOW)).toEqual({ held: false, holder: { expiresAtMs: NOW + 30_000 } });
    writeFileSync(file, '');
    expect(await new FileLock(file, nodeFs).acquire(TTL, NOW)).toEqual({ held: false, holder: {} });
  });

  it('what this run writes names it: host, pid, when, and until when', async () => {
    const file = lockFile();
    await new FileLock(file, nodeFs).acquire(TTL, NOW);
    const body = JSON.parse(readFileSync(file, 'utf8'));
    expect(body).toEqual({ token: expect.any(String), host: hostname(), pid: process.pid, acquiredAtMs: NOW, expiresAtMs: NOW + TTL });
  });
});

describe('FileLock: release, and what a takeover leaves', () => {
  it('releases only its own lock: one taken over from it stays', async () => {
    const file = lockFile();
    const a = new FileLock(file, nodeFs);
    await a.acquire(TTL, NOW);
    writeFileSync(file, JSON.stringify({ token: 'other', host: 'other', pid: 1, acquiredAtMs: NOW, expiresAtMs: NOW + TTL }));
    await a.release();
    expect(existsSync(file)).toBe(true);
  });

  it('a run that holds nothing releases nothing; a release is done once', async () => {
    const file = lockFile();
    const a = new FileLock(file, nodeFs);
    const b = new FileLock(file, nodeFs);
    await b.release();
    await a.acquire(TTL, NOW);
    await b.release();
    expect(existsSync(file)).toBe(true);
    await a.release();
    expect(existsSync(file)).toBe(false);
    await b.acquire(TTL, NOW);
    await a.release();
    expect(existsSync(file)).toBe(true);
  });

  it('once it holds the lock, a run sweeps the takeover markers of its lock, and only those', async () => {
    const file = lockFile();
    const dir = path.dirname(file);
    writeFileSync(path.join(dir, 'state.json.lock.takeover-abc.1'), '{}');
    writeFileSync(path.join(dir, 'other.lock.takeover-abc.1'), '{}');
    expect(await new FileLock(file, nodeFs).acquire(TTL, NOW)).toEqual({ held: true });
    expect(readdirSync(dir).sort()).toEqual(['other.lock.takeover-abc.1', 'state.json.lock']);
  });

  it('a claim marker without a time of its own is judged by its file time', async () => {
    for (const [content, ago, taken] of [
      ['not json', 15 * 60_000, true],
      ['{}', 15 * 60_000, true],
      ['{}', 1000, false],
      [JSON.stringify({ atMs: Date.now() }), 15 * 60_000, false],
    ] as const) {
      const file = lockFile();
      writeFileSync(file, JSON.stringify({ token: 't', host: 'other', pid: 1, acquiredAtMs: NOW - 2 * TTL, expiresAtMs: NOW - TTL }));
      const first = new FileLock(file, faultyFs([{ ops: ['rename'], where: 'state.json.lock', errno: 'EIO' }]).fs);
      await expect(first.acquire(TTL, NOW)).rejects.toBeInstanceOf(LockIoError);
      const [marker] = markers(file);
      writeFileSync(path.join(path.dirname(file), marker!), content);
      age(path.join(path.dirname(file), marker!), ago);
      expect((await new FileLock(file, nodeFs).acquire(TTL, NOW)).held).toBe(taken);
    }
  });

  it('a file system that refuses is named, with the file and what could not be done', async () => {
    const file = lockFile();
    await expect(new FileLock(file, faultyFs([{ ops: ['mkdir'], where: () => true, errno: 'EACCES' }]).fs).acquire(TTL, NOW)).rejects.toMatchObject({
      name: 'LockIoError',
      errno: 'EACCES',
      file,
      message: `cannot create ${file} (EACCES)`,
    });
    writeFileSync(file, '');
    await expect(new FileLock(file, faultyFs([{ ops: ['readFile'], where: 'state.json.lock', errno: 'EIO' }]).fs).acquire(TTL, NOW)).rejects.toMatchObject({
      message: `cannot read the lock file ${file} (EIO)`,
    });
  });
});
