import { nodeFs, type StateFs } from '../../lib/state/fs';

type Op = keyof StateFs;

/** A rule: the operations and paths it applies to, and the errno it fails them with (null: it lets them pass). */
export interface Fault {
  readonly ops: readonly Op[];
  /** A path the operation's first argument contains (a file name, a folder), or a test of it. */
  readonly where: string | ((file: string) => boolean);
  readonly errno: string;
  /** How many times it fires before it stops (Infinity by default). */
  times?: number;
}

/**
 * The machine's file system with faults a real disk has (EIO, ENOSPC, EACCES, EROFS...), made where a test run as
 * root cannot make them: every rule that matches fails the operation with its errno, the way `fs` does. A write
 * failing ENOSPC on an exclusive create leaves the empty file behind, as a full disk does.
 */
export function faultyFs(faults: Fault[] = []) {
  const calls: Array<{ op: Op; file: string }> = [];
  const fail = (op: Op, file: string): NodeJS.ErrnoException | null => {
    const f = faults.find((x) => x.ops.includes(op) && (typeof x.where === 'string' ? file.includes(x.where) : x.where(file)) && (x.times ?? Infinity) > 0);
    if (!f) return null;
    if (f.times !== undefined) f.times--;
    return Object.assign(new Error(`${f.errno}: simulated, ${op} '${file}'`), { code: f.errno, syscall: op, path: file });
  };
  const fs: StateFs = {
    readFile: async (file) => {
      calls.push({ op: 'readFile', file });
      const e = fail('readFile', file);
      if (e) throw e;
      return nodeFs.readFile(file);
    },
    readLines: async (file, onLine) => {
      calls.push({ op: 'readLines', file });
      const e = fail('readLines', file) ?? fail('readFile', file);
      if (e) throw e;
      return nodeFs.readLines(file, onLine);
    },
    writeChunks: async (file, chunks, options) => {
      calls.push({ op: 'writeChunks', file });
      const e = fail('writeChunks', file) ?? fail('writeFile', file);
      if (e) throw e;
      return nodeFs.writeChunks(file, chunks, options);
    },
    writeFile: async (file, data, options) => {
      calls.push({ op: 'writeFile', file });
      const e = fail('writeFile', file);
      if (e) {
        // A full disk creates the file, then cannot write it: an empty file stays behind.
        if (e.code === 'ENOSPC' && options?.exclusive) await nodeFs.writeFile(file, '', { exclusive: true }).catch(() => undefined);
        throw e;
      }
      return nodeFs.writeFile(file, data, options);
    },
    rename: async (from, to) => {
      calls.push({ op: 'rename', file: from });
      const e = fail('rename', to) ?? fail('rename', from);
      if (e) throw e;
      return nodeFs.rename(from, to);
    },
    unlink: async (file) => {
      calls.push({ op: 'unlink', file });
      const e = fail('unlink', file);
      if (e) throw e;
      return nodeFs.unlink(file);
    },
    mkdir: async (dir) => {
      calls.push({ op: 'mkdir', file: dir });
      const e = fail('mkdir', dir);
      if (e) throw e;
      return nodeFs.mkdir(dir);
    },
    stat: async (file) => {
      calls.push({ op: 'stat', file });
      const e = fail('stat', file);
      if (e) throw e;
      return nodeFs.stat(file);
    },
    readdir: async (dir) => {
      calls.push({ op: 'readdir', file: dir });
      const e = fail('readdir', dir);
      if (e) throw e;
      return nodeFs.readdir(dir);
    },
  };
  return {
    fs,
    calls,
    faults,
    /** Stops every fault (the disk has room again, the permission was granted). */
    heal: () => faults.splice(0, faults.length),
  };
}
