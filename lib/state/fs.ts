import { promises as fs, type Stats } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * The file operations the state store uses: the port a test replaces to make a disk fail the way real ones do (a
 * full disk, an I/O error, a mount without a permission) — which a test run as root cannot make a real disk do.
 */
export interface StateFs {
  readFile(file: string): Promise<string>;
  /** Reads a file line by line (a large file is never one string). */
  readLines(file: string, onLine: (line: string) => void): Promise<void>;
  /** Writes the chunks one after another (a large file is never one string), durable (fsync) when `durable`. */
  writeChunks(file: string, chunks: Iterable<string>, options?: { durable?: boolean }): Promise<void>;
  /** Writes `data`; `exclusive` fails with EEXIST when the file exists. Durable (fsync) when `durable`. */
  writeFile(file: string, data: string, options?: { exclusive?: boolean; durable?: boolean }): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
  mkdir(dir: string): Promise<void>;
  stat(file: string): Promise<Pick<Stats, 'mtimeMs' | 'ino' | 'size' | 'isDirectory'>>;
  readdir(dir: string): Promise<string[]>;
}

/** The machine's file system. */
export const nodeFs: StateFs = {
  readFile: (file) => fs.readFile(file, 'utf8'),
  async readLines(file, onLine) {
    const handle = await fs.open(file, 'r');
    try {
      for await (const line of createInterface({ input: handle.createReadStream({ encoding: 'utf8', autoClose: false }), crlfDelay: Infinity })) onLine(line);
    } finally {
      await handle.close();
    }
  },
  async writeChunks(file, chunks, options = {}) {
    const handle = await fs.open(file, 'w');
    try {
      for (const chunk of chunks) await handle.write(chunk);
      if (options.durable) await handle.sync();
    } finally {
      await handle.close();
    }
  },
  async writeFile(file, data, options = {}) {
    const handle = await fs.open(file, options.exclusive ? 'wx' : 'w');
    try {
      await handle.writeFile(data);
      if (options.durable) await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => fs.rename(from, to),
  unlink: (file) => fs.unlink(file),
  mkdir: async (dir) => void (await fs.mkdir(dir, { recursive: true })),
  stat: (file) => fs.stat(file),
  readdir: (dir) => fs.readdir(dir),
};

/** The errno code of a failed file operation ('error' when it has none). */
export function errnoOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : 'error';
}
