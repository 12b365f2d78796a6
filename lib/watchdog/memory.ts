import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as v from 'valibot';

/** The kinds of failed runs the failure handler tells apart, each with its own fix (failure.ts `failureAdvice`). */
export const FAILURE_KINDS = ['config', 'timeout', 'memory', 'error', 'throttled', 'platform', 'unknown'] as const;

const causeSchema = v.object({
  kind: v.picklist(FAILURE_KINDS),
  /** Already redacted and bounded. */
  text: v.string(),
  firstAtMs: v.number(),
  lastAtMs: v.number(),
  count: v.number(),
  /** When on-call was told; null when the robot could not be reached. */
  announcedAtMs: v.nullable(v.number()),
  requestId: v.nullable(v.string()),
});

/** One cause of failed runs, as the failure handler remembers it. */
export type Cause = v.InferOutput<typeof causeSchema>;

const outageSchema = v.object({
  /** The last good run (or when watching began, before any): the outage is known by it. */
  sinceMs: v.number(),
  kind: v.string(),
  text: v.string(),
  /** When on-call was last told of it; null while the robot could not be reached. */
  announcedAtMs: v.nullable(v.number()),
});

/** An outage the dead man's switch has seen: no good run within the window. */
export type OutageMemory = v.InferOutput<typeof outageSchema>;

const watchSchema = v.object({
  /** The first timer tick of this memory: with no heartbeat yet, the window is counted from here. */
  sinceMs: v.number(),
  outage: v.nullable(outageSchema),
  /** The last good run a readable heartbeat showed: it stands for the heartbeat while that cannot be read. */
  lastGoodSeenMs: v.optional(v.nullable(v.number())),
});

/**
 * The watchdog's memory: causes of failed runs by a key that ignores numbers (so one cause is told once), and what
 * the timer saw. Kept beside the state, never in it: the watchdog never writes the monitor's files.
 */
export interface Memory {
  readonly causes: Readonly<Record<string, Cause>>;
  readonly watch: v.InferOutput<typeof watchSchema> | null;
}

/** Where the memory lives: beside the state (the OSS mount), so it survives instances. */
export function memoryFile(stateFile: string): string {
  return path.join(path.dirname(stateFile), 'watchdog.json');
}

/** The instance's own copy when the state folder cannot be written: named after the state, so two monitors never share one. */
const fallback = (stateFile: string) =>
  path.join(tmpdir(), `vod-refresh-monitor-watchdog-${createHash('sha1').update(path.resolve(stateFile)).digest('hex').slice(0, 12)}.json`);

/** A memory from a file: each cause kept on its own when valid, so one odd entry (an older build's) costs only itself. */
function memoryOf(raw: unknown): Memory | null {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const r = raw as { causes?: unknown; watch?: unknown };
  if (!r.causes || typeof r.causes !== 'object') return null;
  const causes: Record<string, Cause> = {};
  for (const [key, c] of Object.entries(r.causes)) {
    const parsed = v.safeParse(causeSchema, c);
    if (parsed.success) causes[key] = parsed.output;
  }
  const watch = v.safeParse(watchSchema, r.watch);
  return { causes, watch: watch.success ? watch.output : null };
}

const EMPTY: Memory = { causes: {}, watch: null };
const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code ?? 'error';

/** Where the memory is kept this invocation: beside the state, or (`durable: false`) only in this instance's /tmp. */
export type MemoryHome = { readonly durable: true } | { readonly durable: false; readonly file: string; readonly code: string };

/** One file's memory: null when it is not there or not a memory (a torn file is rewritten); `code` when it cannot be read. */
async function readOne(file: string): Promise<{ memory: Memory | null; code: string | null }> {
  try {
    return { memory: memoryOf(JSON.parse(await fs.readFile(file, 'utf8'))), code: null };
  } catch (err) {
    return { memory: null, code: err instanceof SyntaxError || codeOf(err) === 'ENOENT' ? null : codeOf(err) };
  }
}

/** Writes a file whole (a temporary file, then a rename); the error code when it cannot, leaving no temporary file. */
async function writeOne(file: string, body: string): Promise<string | null> {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(tmp, body);
    await fs.rename(tmp, file);
    return null;
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    return codeOf(err);
  }
}

/**
 * The watchdog's memory and whether it can keep it: the file beside the state is read, then written back as read (a
 * folder there, a read-only or failing mount fail one or the other); `probe: false` (status) only reads. When it
 * cannot, the instance's /tmp copy is all there is, and a cold instance has none: the handlers then decide from
 * durable facts only. Never throws.
 */
export async function openMemory(stateFile: string, probe = true): Promise<{ memory: Memory; home: MemoryHome }> {
  const file = memoryFile(stateFile);
  const beside = await readOne(file);
  const code = beside.code ?? (probe ? await writeOne(file, JSON.stringify(beside.memory ?? EMPTY)) : null);
  const copy = (await readOne(fallback(stateFile))).memory;
  if (code === null) return { memory: beside.memory ?? copy ?? EMPTY, home: { durable: true } };
  // The file that cannot be written is older than this instance's copy, when there is one.
  return { memory: copy ?? beside.memory ?? EMPTY, home: { durable: false, file, code } };
}

/** Writes the memory beside the state; falls back to /tmp (per instance) when the state folder cannot be written. */
export async function saveMemory(stateFile: string, memory: Memory): Promise<string> {
  const body = JSON.stringify(memory);
  for (const file of [memoryFile(stateFile), fallback(stateFile)]) if ((await writeOne(file, body)) === null) return file;
  return 'nowhere';
}

/** The newest cause the failure handler recorded, for the monitor's "was blind" notice; null when none. */
export async function lastFailureCause(stateFile: string): Promise<string | null> {
  // Read only: the monitor never writes the watchdog's memory.
  const causes = Object.values((await openMemory(stateFile, false)).memory.causes);
  if (causes.length === 0) return null;
  return causes.sort((a, b) => b.lastAtMs - a.lastAtMs)[0]!.text;
}
