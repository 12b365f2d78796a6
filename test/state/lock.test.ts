import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { nodeFs, type StateFs } from '../../lib/state/fs';
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

describe('FileLock: the races a takeover can lose, and the edges of each step', () => {
  const dead = () => JSON.stringify({ token: 't', host: 'other', pid: 1, acquiredAtMs: NOW - 2 * TTL, expiresAtMs: NOW - TTL });
  /** nodeFs, with the first call of `op` on a path `where` accepts preceded (or followed) by `hook`. */
  const once = (
    op: 'writeFile' | 'rename',
    where: (file: string) => boolean,
    hook: { before?: () => Promise<unknown>; after?: () => Promise<unknown> },
  ): StateFs => {
    let fired = false;
    const around = async (file: string, act: () => Promise<void>) => {
      const mine = !fired && where(file);
      if (mine) fired = true;
      if (mine) await hook.before?.();
      await act();
      if (mine) await hook.after?.();
    };
    return op === 'writeFile'
      ? { ...nodeFs, writeFile: (f, data, options) => around(f, () => nodeFs.writeFile(f, data, options)) }
      : { ...nodeFs, rename: (from, to) => around(from, () => nodeFs.rename(from, to)) };
  };
  const isMarker = (f: string) => f.includes('.takeover-');
  /** The name of the first claim on the dead lock standing in `file` (a takeover that failed at its rename leaves it). */
  const firstClaim = async (file: string, realNow: () => number) => {
    const rename = faultyFs([{ ops: ['rename'], where: 'state.json.lock', errno: 'EIO' }]).fs;
    await expect(new FileLock(file, rename, realNow).acquire(TTL, NOW)).rejects.toBeInstanceOf(LockIoError);
    return path.join(path.dirname(file), markers(file)[0]!);
  };

  it('a lock released between "exists" and reading it: tried again, and taken', async () => {
    const file = lockFile();
    const disk = faultyFs([{ ops: ['writeFile'], where: (f) => f === file, errno: 'EEXIST', times: 1 }]);
    expect(await new FileLock(file, disk.fs).acquire(TTL, NOW)).toEqual({ held: true });
  });

  it('"exists" yet never readable: three tries, then said as a lock problem', async () => {
    const file = lockFile();
    const disk = faultyFs([{ ops: ['writeFile'], where: (f) => f === file, errno: 'EEXIST' }]);
    await expect(new FileLock(file, disk.fs).acquire(TTL, NOW)).rejects.toMatchObject({
      errno: 'LOCK_UNREADABLE',
      message: `cannot read the lock file, which exists but is not a readable file: ${file} (LOCK_UNREADABLE)`,
    });
    expect(disk.calls.filter((c) => c.op === 'writeFile' && c.file === file)).toHaveLength(3);
  });

  it('a run that holds nothing does not touch the disk on release; one whose lock is gone or unreadable releases quietly', async () => {
    const disk = faultyFs();
    await new FileLock(lockFile(), disk.fs).release();
    expect(disk.calls).toEqual([]);
    const file = lockFile();
    const gone = new FileLock(file, nodeFs);
    await gone.acquire(TTL, NOW);
    rmSync(file);
    await expect(gone.release()).resolves.toBeUndefined();
    let armed = false;
    const failing = faultyFs([{ ops: ['stat'], where: () => armed, errno: 'EIO' }]);
    const unreadable = new FileLock(lockFile(), failing.fs);
    await unreadable.acquire(TTL, NOW);
    armed = true;
    await expect(unreadable.release()).resolves.toBeUndefined();
  });

  it("a create the disk refuses (EIO) is named, and another run's lock standing there is left alone", async () => {
    const file = lockFile();
    const refuse = faultyFs([{ ops: ['writeFile'], where: (f) => f === file, errno: 'EIO' }]);
    await expect(new FileLock(file, refuse.fs).acquire(TTL, NOW)).rejects.toMatchObject({
      name: 'LockIoError',
      message: `cannot write the lock file ${file} (EIO)`,
    });
    const theirs = JSON.stringify({ token: 'x', host: 'other', pid: 1, acquiredAtMs: NOW, expiresAtMs: NOW + TTL });
    writeFileSync(file, theirs);
    await expect(new FileLock(file, refuse.fs).acquire(TTL, NOW)).rejects.toMatchObject({ errno: 'EIO' });
    expect(readFileSync(file, 'utf8')).toBe(theirs);
  });

  it('a claimant overtaken (another run took the dead lock over before its claim was made) gives up: one holder', async () => {
    const file = lockFile();
    writeFileSync(file, dead());
    age(file, 60_000);
    const b = new FileLock(file, nodeFs);
    let bHeld: unknown;
    const slow = once('writeFile', isMarker, { before: async () => (bHeld = await b.acquire(TTL, NOW)) });
    const a = await new FileLock(file, slow).acquire(TTL, NOW);
    expect(bHeld).toEqual({ held: true });
    expect(a.held).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8')).token).not.toBe('t');
  });

  it('the dead lock gone once the claim is made (its holder released it), or replaced after the rename: not held', async () => {
    const gone = lockFile();
    writeFileSync(gone, dead());
    const rm = once('writeFile', isMarker, { after: async () => rmSync(gone) });
    expect((await new FileLock(gone, rm).acquire(TTL, NOW)).held).toBe(false);
    const replaced = lockFile();
    writeFileSync(replaced, dead());
    const other = JSON.stringify({ token: 'other', host: 'other', pid: 1, acquiredAtMs: NOW, expiresAtMs: NOW + TTL });
    const over = once('rename', () => true, { after: async () => writeFileSync(replaced, other) });
    expect((await new FileLock(replaced, over).acquire(TTL, NOW)).held).toBe(false);
    const vanished = lockFile();
    writeFileSync(vanished, dead());
    const after = once('rename', () => true, { after: async () => rmSync(vanished) });
    expect((await new FileLock(vanished, after).acquire(TTL, NOW)).held).toBe(false);
  });

  it("a claim names its time on the claimant's clock; one exactly a lifetime old is still alive, a millisecond more is abandoned", async () => {
    const T = Date.now();
    for (const [ago, taken] of [
      [TTL, false],
      [TTL + 1, true],
    ] as const) {
      const file = lockFile();
      writeFileSync(file, dead());
      const marker = await firstClaim(file, () => T);
      expect(JSON.parse(readFileSync(marker, 'utf8'))).toEqual({ token: expect.any(String), atMs: T });
      writeFileSync(marker, JSON.stringify({ atMs: T - ago }));
      expect((await new FileLock(file, nodeFs, () => T).acquire(TTL, NOW)).held).toBe(taken);
    }
  });

  it('claims on one dead lock: 7 abandoned, the 8th is made; 8 abandoned, the run gives up', async () => {
    const T = Date.now();
    for (const [abandoned, taken] of [
      [7, true],
      [8, false],
    ] as const) {
      const file = lockFile();
      writeFileSync(file, dead());
      const first = await firstClaim(file, () => T);
      for (let n = 1; n <= abandoned; n++) writeFileSync(first.replace(/\.1$/, `.${n}`), JSON.stringify({ atMs: T - 2 * TTL }));
      expect((await new FileLock(file, nodeFs, () => T).acquire(TTL, NOW)).held).toBe(taken);
    }
  });

  it('a claim or a replacement the disk refuses is named, with the file and the step', async () => {
    const file = lockFile();
    writeFileSync(file, dead());
    const noMarker = faultyFs([{ ops: ['writeFile'], where: '.takeover-', errno: 'EIO' }]);
    await expect(new FileLock(file, noMarker.fs).acquire(TTL, NOW)).rejects.toMatchObject({
      name: 'LockIoError',
      message: expect.stringMatching(/^cannot write the lock takeover marker .*state\.json\.lock\.takeover-\w+\.1 \(EIO\)$/),
    });
    const noRename = faultyFs([{ ops: ['rename'], where: 'state.json.lock', errno: 'EIO' }]);
    await expect(new FileLock(file, noRename.fs).acquire(TTL, NOW)).rejects.toMatchObject({ message: `cannot write the lock file ${file} (EIO)` });
  });

  it('a live process of this host that another user runs (kill says EPERM) keeps its lock', async () => {
    const file = lockFile();
    writeFileSync(file, JSON.stringify({ token: 'x', host: hostname(), pid: 2 ** 22 + 4321, acquiredAtMs: NOW, expiresAtMs: NOW + 30_000 }));
    const kill = jest.spyOn(process, 'kill').mockImplementation(() => {
      throw Object.assign(new Error('kill EPERM'), { code: 'EPERM' });
    });
    try {
      expect((await new FileLock(file, nodeFs).acquire(TTL, NOW)).held).toBe(false);
      expect(kill).toHaveBeenCalledWith(2 ** 22 + 4321, 0);
    } finally {
      kill.mockRestore();
    }
  });
});
