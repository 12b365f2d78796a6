// Shared by the memory tests: a run of the built handler in a fresh process under s.yaml's NODE_OPTIONS, and a watched
// set at its cap (a campaign of merged 2,000-URL ids still Refreshing).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { deployedNodeOptions } from '../../bench/deployed';
import { MAX_WATCHED } from '../../lib/decide/ledger';
import { rowKey } from '../../lib/identity';
import { FC_CREDENTIALS, type startWorld } from './world';

type World = Awaited<ReturnType<typeof startWorld>>;
const MIN = 60_000;

/** One run in a child process; `died` says how it ended when it printed nothing (a heap out of memory). */
export function runChild(w: World, timeoutSec: number): Promise<{ report?: Record<string, unknown>; error?: string; peakRss: number; died?: string }> {
  const child = spawn(
    process.execPath,
    [path.resolve(__dirname, '../../bench/child-run.js'), JSON.stringify({ env: w.env, credentials: FC_CREDENTIALS, timeoutSec })],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: deployedNodeOptions() } },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) =>
    child.on('exit', (code, signal) =>
      resolve(out ? JSON.parse(out) : { peakRss: 0, died: `exit ${code} ${signal ?? ''}: ${(/heap out of memory[^\n]*/.exec(err) ?? [err.slice(-200)])[0]}` }),
    ),
  );
}

/** MAX_WATCHED rows submitted 20 minutes ago in merged ids of 2,000, as the state watches them. */
export function campaignWatching(w: World, now: number): Record<string, unknown> {
  const created = now - 20 * MIN;
  const watching: Record<string, unknown> = {};
  for (let k = 0; k * 2000 < MAX_WATCHED; k++) {
    const urls = Array.from({ length: 2000 }, (_, i) => `http://video.example.com/campaign-2026-11/show-${k}/1080p/segment-${String(i).padStart(5, '0')}.ts`);
    const { rows } = w.vod.store.submit({ urls, kind: 'file', atMs: created + k * 1000 });
    for (const r of rows)
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
      };
  }
  return watching;
}
