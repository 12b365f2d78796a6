import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'dotenv';

type Env = Record<string, string | undefined>;

/** What reading `.env` gave: the environment the commands see, and the file it came from (null when there was none). */
export interface DotenvResult {
  readonly env: Env;
  readonly file: string | null;
  /** The names the file set that the shell did not. */
  readonly added: readonly string[];
}

/** The last `$` not escaped by a backslash, or -1. */
function lastUnescapedDollar(value: string): number {
  for (let i = value.length - 1; i >= 0; i--) if (value[i] === '$' && value[i - 1] !== '\\') return i;
  return -1;
}

/**
 * One value with its `${NAME}`, `$NAME` and `${NAME:-default}` references filled in, from the right, as dotenv-expand 10
 * (the version Serverless Devs 3.1.10 bundles) does: the shell's value first, else the default, else the file's.
 */
function interpolate(value: string, shell: Env, parsed: Record<string, string>, depth = 0): string {
  const at = lastUnescapedDollar(value);
  if (at === -1 || depth > 100) return value;
  const m = /((?!(?<=\\))\${?([\w]+)(?::-([^}\\]*))?}?)/.exec(value.slice(at));
  if (!m) return value;
  const [, whole, name, fallback] = m as unknown as [string, string, string, string | undefined];
  return interpolate(value.replace(whole, shell[name] || fallback || parsed[name] || ''), shell, parsed, depth + 1);
}

/**
 * The environment as Serverless Devs 3 sees it when `s` runs in `dir`: `dir/.env` parsed by dotenv, each value
 * expanded, and the shell's own variables winning over the file's (dotenv never overrides what is already set).
 * `s` also reads `.env` beside s.yaml and in the `code` folder; the CLI runs where s.yaml is, so one file serves both.
 * `read` is for tests; a missing file leaves the shell as it is.
 */
export function withDotenv(shell: Env, dir: string, read: (file: string) => string = (f) => readFileSync(f, 'utf8')): DotenvResult {
  const file = path.join(dir, '.env');
  let text: string;
  try {
    text = read(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EISDIR') return { env: shell, file: null, added: [] };
    throw err;
  }
  const added = Object.keys(parse(text)).filter((n) => !Object.hasOwn(shell, n));
  // `s` loads this file twice when it runs beside s.yaml (at start-up from its working folder, then beside s.yaml),
  // and the second load expands what the first wrote: `\$5` ends up as "" there. Loading twice gives the same value.
  return { env: load(load(shell, text), text), file, added };
}

/** One dotenv load: the file's names the environment lacks, and every name of the file expanded (dotenv-expand 10). */
function load(env: Env, text: string): Env {
  const parsed: Record<string, string> = { ...parse(text) };
  for (const name of Object.keys(parsed)) {
    const own = Object.hasOwn(env, name) ? (env[name] ?? '') : parsed[name]!;
    parsed[name] = interpolate(own, env, parsed).replace(/\\\$/g, '$');
  }
  // As dotenv-expand writes back: a name the environment has keeps its value, expanded like the file's.
  return { ...env, ...parsed };
}
