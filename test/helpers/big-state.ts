// Shared by the memory tests: a run of the built handler in a fresh process under s.yaml's NODE_OPTIONS, and a watched
// set at its cap (a campaign of merged 2,000-URL ids still Refreshing).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { campaign } from '../../bench/big-state';
import { deployedNodeOptions } from '../../bench/deployed';
import { FC_CREDENTIALS, type startWorld } from './world';

type World = Awaited<ReturnType<typeof startWorld>>;

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

/** MAX_WATCHED rows submitted 20 minutes ago in merged ids of 2,000, as the state watches them (bench/big-state.ts). */
export const campaignWatching = (w: World, now: number) => campaign(w.vod.store, now);
