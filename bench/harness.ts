// What every group of npm run bench shares: a row of the table, one handler run in a fresh process (killed at its
// timeout, as Function Compute does), and a world of simulators with a seeded 3-day history.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunReport } from '../lib/monitor';
import { startDingTalkSim } from '../sim/dingtalk/server';
import { seededRandom } from '../sim/random';
import { startVodSim, type VodSim } from '../sim/vod/server';
import { seedHistory } from '../sim/vod/store';
import { deployedNodeOptions, monitorMemoryMb, rssLimitMb } from './deployed';

export const ROOT = path.resolve(__dirname, '..');
export const CREDS = { accessKeyId: 'LTAI5tBenchKey', accessKeySecret: 'bench-secret-0123' };
/** Simulated VOD latency (ms) of the groups that do not set their own. */
export const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 50);
export const RATE = 5;
export const MIN = 60_000;
export const DAY = 86_400_000;
/** Peak RSS a run must stay under: 75% of the monitor's memorySize in s.yaml. */
export const RSS_LIMIT = rssLimitMb();
export const RSS_TARGET = `< ${RSS_LIMIT} MB (75% of ${monitorMemoryMb()} MB)`;

/** One line of the table. `met` is null for a figure with no target. */
export interface Row {
  group: string;
  figure: string;
  value: number | string;
  unit: string;
  baseline?: number | string;
  ratio?: number;
  target: string;
  met: boolean | null;
}

export const log = (s: string) => process.stderr.write(`${s}\n`);
export const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
export const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);

export interface ChildResult {
  report?: RunReport;
  error?: string;
  peakRss: number;
  wallMs: number;
  /** Killed at its timeout (Function Compute's wall), or died: the run printed nothing. */
  killed?: string;
}

export interface ChildOptions {
  /** The simulated time that passed, as the simulators see it. */
  offsetMs?: number;
  /** NODE_OPTIONS of the run (default: s.yaml's). */
  nodeOptions?: string;
}

/**
 * One handler run in a fresh process (its RSS is the function's), against simulators in this one, under s.yaml's
 * NODE_OPTIONS unless told otherwise. Killed at `timeoutSec`, as Function Compute kills a run; `killed` says so.
 */
export function childRun(env: Record<string, string>, timeoutSec: number, opts: ChildOptions | number = {}): Promise<ChildResult> {
  const { offsetMs = 0, nodeOptions = deployedNodeOptions() } = typeof opts === 'number' ? { offsetMs: opts } : opts;
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'bench/child-run.js'), JSON.stringify({ env, credentials: CREDS, timeoutSec, offsetMs })], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
  });
  const wall = setTimeout(() => child.kill('SIGKILL'), timeoutSec * 1000);
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      clearTimeout(wall);
      if (out) return resolve(JSON.parse(out) as ChildResult);
      const why =
        signal === 'SIGKILL' ? `killed at the ${timeoutSec} s timeout` : `exit ${code}: ${(/heap out of memory[^\n]*/.exec(err) ?? [err.slice(-300)])[0]}`;
      resolve({ killed: why, error: why, peakRss: 0, wallMs: Date.now() - started });
    }),
  );
}

/** A simulated clock the runs and simulators share: real time plus the simulated time that passed. */
export function simClock() {
  const clock = { offset: 0, now: () => Date.now() + clock.offset };
  return clock;
}

export interface WorldOptions {
  latencyMs?: number;
  now?: () => number;
  rate?: number;
}

/** A simulator with `count` rows over 3 days (1% failed, unfinished rows only among the newest, as in real accounts). */
export async function world(count: number, opts: WorldOptions = {}) {
  const rate = opts.rate ?? RATE;
  const sim = await startVodSim({ accounts: [CREDS], seed: 3, ...(opts.now ? { now: opts.now } : {}) });
  seedHistory(sim.store, { nowMs: (opts.now ?? Date.now)(), count, random: seededRandom(count), failureRate: 0.01, unfinishedRate: 0.0003 });
  sim.faults.latencyMs = opts.latencyMs ?? LATENCY;
  sim.faults.qpsLimit = rate;
  const ding = await startDingTalkSim({ robots: [{ accessToken: 'bench' }], perMinute: 1000, ...(opts.now ? { now: opts.now } : {}) });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vrm-bench-'));
  const env: Record<string, string> = {
    VOD_ENDPOINT: sim.url,
    DINGTALK_WEBHOOK: ding.webhook('bench'),
    STATE_FILE: path.join(dir, 's.json'),
    VOD_REQUESTS_PER_SECOND: String(rate),
  };
  return {
    sim,
    ding,
    env,
    dir,
    async close() {
      await sim.close();
      await ding.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const calls = (sim: VodSim) => sim.stats.requests;

/** The p-th percentile (0-100) of some numbers, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/** The target of a run that must end by itself: its report returned before the timeout's kill. */
export const endedByItself = (r: ChildResult) => !r.killed && !!r.report;
