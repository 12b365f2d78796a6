// A state at the caps, built fast: MAX_WATCHED URLs of merged 2,000-URL ids still Refreshing (submitted to the
// simulator too), MAX_FAILED_PATHS failed URLs followed, and any number of delivered keys, written by the state
// writer the function uses (lib/state/file-store.ts), which the bench times.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { MAX_FAILED_PATHS, MAX_WATCHED } from '../lib/decide/ledger';
import { rowKey } from '../lib/identity';
import { FileStateStore, ledgerFile } from '../lib/state/file-store';
import type { MonitorState } from '../lib/state/schema';
import type { TaskStore } from '../sim/vod/store';

const MIN = 60_000;

export interface Caps {
  watched: number;
  keys: number;
  failed: number;
  /** How long before `now` the followed failures were last checked for a recovery (default 6 minutes: none due). */
  checkedAgoMs?: number;
}
export const AT_CAPS: Caps = { watched: MAX_WATCHED, keys: 50_000, failed: MAX_FAILED_PATHS };

/** The watched rows of a campaign submitted 20 minutes before `now` to the simulator, as the state watches them. */
export function campaign(store: TaskStore, now: number, count = MAX_WATCHED): MonitorState['watching'] {
  const created = now - 20 * MIN;
  const watching: MonitorState['watching'] = {};
  for (let k = 0; k * 2000 < count; k++) {
    const urls = Array.from({ length: 2000 }, (_, i) => `http://video.example.com/campaign-2026-11/show-${k}/1080p/segment-${String(i).padStart(5, '0')}.ts`);
    for (const r of store.submit({ urls, kind: 'file', atMs: created + k * 1000 }).rows)
      watching[rowKey(r.TaskId, r.ObjectPath)] = {
        task: {
          taskId: r.TaskId,
          objectPath: r.ObjectPath,
          objectType: 'file',
          status: 'Refreshing',
          description: null,
          creationTime: r.CreationTime,
          domain: 'video.example.com',
        },
        createdAtMs: created + k * 1000,
        firstSeenMs: created + 2 * MIN,
        checkedAtMs: now - 5 * MIN,
        stuckAtMs: null,
      };
  }
  return watching;
}

/** `base` with the given numbers of watched rows (from `watching`), delivered keys and followed failures. */
export function withCaps(base: MonitorState, watching: MonitorState['watching'], caps: Caps, now: number): MonitorState {
  const reported: Record<string, number> = { ...base.reported };
  const failedPaths: MonitorState['failedPaths'] = {};
  // Failures of the last 3 days, created before the frontier's hour (so keys past the cap can be let go).
  const span = 68 * 60 * MIN;
  const checkedToMs = now - (caps.checkedAgoMs ?? 6 * MIN);
  for (let i = 0; i < caps.keys; i++) {
    const createdAtMs = now - 71 * 60 * MIN + Math.floor((i * span) / caps.keys);
    const taskId = String(10_000_000_000 + i);
    const objectPath = `http://video.example.com/vod/2026/11/${createHash('sha1').update(String(i)).digest('hex')}/index-1080p.m3u8`;
    const key = rowKey(taskId, objectPath);
    reported[`failed:${key}`] = createdAtMs + 73 * 60 * MIN;
    if (i >= caps.keys - caps.failed) failedPaths[objectPath] = { key, taskId, objectType: 'file', createdAtMs, description: 'Origin Timeout', checkedToMs };
  }
  const kept = Object.fromEntries(Object.entries(watching).slice(0, caps.watched));
  // The base state's own failures are checked as recently as the others.
  const own = Object.fromEntries(Object.entries(base.failedPaths).map(([p, f]) => [p, { ...f, checkedToMs: Math.max(f.createdAtMs, checkedToMs) }]));
  return { ...base, watching: kept, failedPaths: { ...own, ...failedPaths }, reported };
}

/** Saves a state with the function's writer, then loads it back with a fresh store: the times and the files' sizes. */
export async function saveAndLoad(stateFile: string, state: MonitorState, now: number) {
  let t = performance.now();
  await new FileStateStore(stateFile).save(state);
  const saveMs = performance.now() - t;
  t = performance.now();
  const loaded = await new FileStateStore(stateFile).load(now);
  const loadMs = performance.now() - t;
  if (!loaded) throw new Error('the state saved could not be loaded');
  return { saveMs, loadMs, headBytes: statSync(stateFile).size, ledgerBytes: statSync(ledgerFile(stateFile)).size };
}

/** The ledger file's identity: a rewrite (temp file renamed over it) changes its inode and mtime. */
export function ledgerStamp(stateFile: string): string {
  const s = statSync(ledgerFile(stateFile));
  return `${s.ino}:${s.mtimeMs}:${s.size}`;
}

/** The ledger's lines, to say which of its fields a run changed. */
export const ledgerLines = (stateFile: string) => new Set(readFileSync(ledgerFile(stateFile), 'utf8').split('\n'));

/** The ledger fields whose entries differ between two sets of lines, with how many lines each. */
export function changedFields(before: Set<string>, after: Set<string>): string {
  const by: Record<string, number> = {};
  for (const [a, b] of [
    [before, after],
    [after, before],
  ] as const)
    for (const line of a) {
      if (b.has(line) || !line.startsWith('["')) continue;
      const field = line.slice(2, line.indexOf('"', 2));
      by[field] = (by[field] ?? 0) + 1;
      if (process.env.BENCH_DEBUG) process.stderr.write(`${a === before ? '-' : '+'} ${line}\n`);
    }
  return (
    Object.entries(by)
      .map(([f, n]) => `${f} ${n}`)
      .join(', ') || 'none'
  );
}
