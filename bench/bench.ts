// npm run bench: scan speed, API calls per run, memory, cold start and alert volume, each against a baseline
// measured in the same run. Writes bench/results.json. Not part of npm test.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../lib/log';
import { realSleep } from '../lib/ports';
import { DEFAULT_RETRY } from '../lib/retry';
import { PopCoreRefreshTaskApi } from '../lib/vod/client';
import { createPacer } from '../lib/vod/pacer';
import { TaskReader } from '../lib/vod/reader';
import type { RunReport } from '../lib/monitor';
import { startDingTalkSim } from '../sim/dingtalk/server';
import { seededRandom } from '../sim/random';
import { startVodSim, type VodSim } from '../sim/vod/server';
import { seedHistory } from '../sim/vod/store';
import { naiveScan } from './naive';

const ROOT = path.resolve(__dirname, '..');
const CREDS = { accessKeyId: 'LTAI5tBenchKey', accessKeySecret: 'bench-secret-0123' };
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 50);
const DAY = 86_400_000;
const quiet = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

interface Row {
  group: string;
  figure: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
  target: string;
  met: boolean | null;
}
const rows: Row[] = [];
const log = (s: string) => process.stderr.write(`${s}\n`);
const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

async function withSim<T>(count: number, fn: (sim: VodSim) => Promise<T>, latency = LATENCY): Promise<T> {
  const sim = await startVodSim({ accounts: [CREDS], seed: 3 });
  seedHistory(sim.store, { nowMs: Date.now(), count, random: seededRandom(count), unfinishedRate: 0 });
  sim.faults.latencyMs = latency;
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}

async function ourScan(sim: VodSim, concurrency: number, rate: number) {
  const api = new PopCoreRefreshTaskApi({ endpoint: sim.url, credentials: CREDS, timeoutMs: 10_000 });
  const reader = new TaskReader({ api, pacer: createPacer(concurrency, rate), retryPolicy: DEFAULT_RETRY, now: Date.now, sleep: realSleep, random: Math.random, logger: quiet, deadlineMs: Date.now() + 600_000, maxPages: 5000 });
  const end = Date.now();
  const r = await reader.scan({ startMs: end - 3 * DAY + 10 * 60_000, endMs: end });
  return { tasks: r.tasks.length, calls: api.counter.calls };
}

async function fullScan() {
  const pages = 200;
  for (const limit of [null, 5, 10] as const) {
    const rate = limit ?? 100;
    const concurrency = limit ? 3 : 8;
    const label = limit ? `limit ${limit}/s` : 'no limit';
    log(`full scan, ${label}: ours (rate ${rate}/s, concurrency ${concurrency}) and the naive script...`);
    const ours = await withSim(10_000, async (sim) => {
      sim.faults.qpsLimit = limit;
      const t = performance.now();
      const r = await ourScan(sim, concurrency, rate);
      return { ...r, ms: performance.now() - t, throttled: sim.stats.byCode.Throttling ?? 0 };
    });
    const naive = await withSim(10_000, async (sim) => {
      sim.faults.qpsLimit = limit;
      const t = performance.now();
      const r = await naiveScan(sim.url, CREDS, { StartTime: new Date(Date.now() - 3 * DAY + 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), EndTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') });
      return { ...r, ms: performance.now() - t, throttled: sim.stats.byCode.Throttling ?? 0 };
    });
    if (ours.tasks !== 10_000 || naive.tasks !== 10_000) throw new Error(`scan lost tasks: ours ${ours.tasks}, naive ${naive.tasks}`);
    const g = `full 3-day scan, 10,000 tasks, ${LATENCY} ms latency, ${label}`;
    rows.push({ group: g, figure: 'wall time (ours vs naive)', value: round(ours.ms / 1000), unit: 's', baseline: round(naive.ms / 1000), ratio: round(naive.ms / ours.ms), target: limit ? '-' : '>= 4x faster than naive', met: limit ? null : naive.ms / ours.ms >= 4 });
    rows.push({ group: g, figure: 'API calls (ours vs naive)', value: ours.calls, unit: 'calls', baseline: naive.calls, ratio: round(naive.calls / ours.calls), target: '-', met: null });
    rows.push({ group: g, figure: 'Throttling answers (ours vs naive)', value: ours.throttled, unit: 'answers', baseline: naive.throttled, target: limit ? '0 provoked' : '-', met: limit ? ours.throttled === 0 : null });
    if (limit) {
      const floor = pages / limit;
      rows.push({ group: g, figure: 'wall time / floor (pages / rate)', value: round(ours.ms / 1000 / floor), unit: 'x', baseline: round(naive.ms / 1000 / floor), target: '<= 1.15x the floor', met: ours.ms / 1000 / floor <= 1.15 });
    }
  }
}

type Handler = (event: Buffer, context: unknown) => Promise<RunReport>;

async function quietRuns() {
  log('quiet runs: state present, 8,000 tasks in the window...');
  let offset = 0;
  const now = () => Date.now() + offset;
  const sim = await startVodSim({ accounts: [CREDS], now, seed: 5 });
  const ding = await startDingTalkSim({ now, robots: [{ accessToken: 'bench' }] });
  seedHistory(sim.store, { nowMs: now(), count: 8000, random: seededRandom(8), unfinishedRate: 0.002 });
  sim.faults.latencyMs = LATENCY;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vrm-bench-'));
  const built = require(path.join(ROOT, 'dist/index.js')) as { createHandler: (o: unknown) => Handler };
  const handler = built.createHandler({ env: { VOD_ENDPOINT: sim.url, DINGTALK_WEBHOOK: ding.webhook('bench'), STATE_FILE: path.join(dir, 's.json'), VOD_REQUESTS_PER_SECOND: '100', VOD_CONCURRENCY: '8', VOD_MAX_PAGES: '1000' }, now, logDestination: new Writable({ write: (_c, _e, cb) => cb() }) });
  const invoke = (tick: number) => handler(Buffer.from(JSON.stringify({ triggerTime: new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z'), triggerName: 'bench', payload: '' })), { requestId: `b${tick}`, credentials: CREDS, function: { timeout: 300 } });
  await invoke(0);
  const ours: Array<{ changed: number; calls: number; ms: number }> = [];
  for (const [i, changed] of [0, 1, 5, 0, 3].entries()) {
    offset += 5 * 60_000;
    for (let k = 0; k < changed; k++) sim.store.add({ ObjectPath: `http://video.example.com/q/${i}-${k}.mp4`, creationMs: now() - 60_000, Status: k % 2 ? 'Failed' : 'Complete' });
    sim.resetStats();
    const t = performance.now();
    await invoke(i + 1);
    ours.push({ changed, calls: sim.stats.requests, ms: performance.now() - t });
  }
  sim.resetStats();
  const t = performance.now();
  let naiveCalls = 0;
  for (const type of ['file', 'directory', 'preload']) {
    naiveCalls += (await naiveScan(sim.url, CREDS, { ObjectType: type, Status: 'Failed', StartTime: new Date(now() - 3 * DAY + 10 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), EndTime: new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z') })).calls;
  }
  const naiveMs = performance.now() - t;
  const maxCalls = Math.max(...ours.map((o) => o.calls));
  const medMs = ours.map((o) => o.ms).sort((a, b) => a - b)[Math.floor(ours.length / 2)]!;
  const g = `quiet run, 8,000 tasks in the window, 0-5 changed, ${LATENCY} ms latency`;
  rows.push({ group: g, figure: 'API calls per run (ours, worst of 5 vs naive Status=Failed x 3 types)', value: maxCalls, unit: 'calls', baseline: naiveCalls, ratio: round(naiveCalls / maxCalls), target: '1 call', met: maxCalls === 1 });
  rows.push({ group: g, figure: 'wall time per run (ours median vs naive)', value: round(medMs), unit: 'ms', baseline: round(naiveMs), ratio: round(naiveMs / medMs), target: '-', met: null });
  await sim.close();
  await ding.close();
  rmSync(dir, { recursive: true, force: true });
}

/** One handler run in a fresh process, with the simulator in this one: the child's peak RSS is the function's. */
async function peakRss(count: number): Promise<{ peakMb: number; tasks: number }> {
  return withSim(
    count,
    async (sim) => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'vrm-rss-'));
      const script = `
        const { createHandler } = require(${JSON.stringify(path.join(ROOT, 'dist/index.js'))});
        const { Writable } = require('node:stream');
        let peak = 0; const t = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
        const h = createHandler({ env: { VOD_ENDPOINT: ${JSON.stringify(sim.url)}, DINGTALK_WEBHOOK: 'http://127.0.0.1:9/robot/send?access_token=x', STATE_FILE: ${JSON.stringify(path.join(dir, 's.json'))}, VOD_REQUESTS_PER_SECOND: '100', VOD_CONCURRENCY: '8', VOD_MAX_PAGES: '5000', ALERT_MAX_PER_MINUTE: '1' }, logDestination: new Writable({ write: (_c, _e, cb) => cb() }) });
        h(Buffer.from('{"payload":"{\\\\"dryRun\\\\":true}"}'), { credentials: ${JSON.stringify(CREDS)}, function: { timeout: 600 } }).then((r) => {
          clearInterval(t); peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
          process.stdout.write(JSON.stringify({ peak, tasks: r.tasksScanned }));
        });`;
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let outText = '';
      child.stdout.on('data', (c: Buffer) => (outText += c.toString()));
      await new Promise((r) => child.on('exit', r));
      rmSync(dir, { recursive: true, force: true });
      const res = JSON.parse(outText) as { peak: number; tasks: number };
      return { peakMb: round(res.peak / 1024 / 1024, 1), tasks: res.tasks };
    },
    0,
  );
}

async function memory() {
  const idle = Number(execFileSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(ROOT, 'dist/index.js'))}); process.stdout.write(String(process.memoryUsage().rss))`], { encoding: 'utf8' })) / 1024 / 1024;
  for (const n of [10_000, 100_000]) {
    log(`peak RSS of one run with ${n} tasks...`);
    const r = await peakRss(n);
    if (r.tasks !== n) throw new Error(`memory run scanned ${r.tasks} of ${n}`);
    rows.push({ group: 'peak memory (RSS) of one handler run, full scan, fresh process', figure: `${n.toLocaleString('en')} tasks in the window (vs the bundle loaded idle)`, value: r.peakMb, unit: 'MB', baseline: round(idle, 1), target: n === 10_000 ? '<= 96 MB' : '-', met: n === 10_000 ? r.peakMb <= 96 : null });
  }
}

function coldStart() {
  log('cold start...');
  const out = path.join(ROOT, 'build/unbundled');
  rmSync(out, { recursive: true, force: true });
  execFileSync(path.join(ROOT, 'node_modules/.bin/esbuild'), [...listTs(['lib', 'functions']), `--outdir=${out}`, '--outbase=.', '--format=cjs', '--platform=node', '--target=node20', '--log-level=warning'], { cwd: ROOT });
  const time = (file: string) => {
    const samples: number[] = [];
    for (let i = 0; i < 11; i++) {
      samples.push(Number(execFileSync(process.execPath, ['-e', `const t=process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`], { encoding: 'utf8' })));
    }
    return samples.sort((a, b) => a - b)[5]!;
  };
  const bundled = time(path.join(ROOT, 'dist/index.js'));
  const loose = time(path.join(out, 'functions/refresh-monitor/index.js'));
  const size = statSync(path.join(ROOT, 'dist/index.js')).size;
  rows.push({ group: 'cold start', figure: 'dist/index.js size', value: round(size / 1024 / 1024, 3), unit: 'MB', target: '<= 1.5 MB', met: size <= 1.5 * 1024 * 1024 });
  rows.push({ group: 'cold start', figure: 'median load time, 11 fresh processes (bundle vs unbundled sources)', value: round(bundled, 1), unit: 'ms', baseline: round(loose, 1), ratio: round(loose / bundled), target: '<= 100 ms', met: bundled <= 100 });
}

function listTs(dirs: string[]): string[] {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of require('node:fs').readdirSync(path.join(ROOT, d), { withFileTypes: true }) as Array<{ name: string; isDirectory(): boolean }>) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  dirs.forEach(walk);
  return files;
}

async function alerts() {
  for (const n of [1, 50, 500]) {
    log(`alerts for ${n} new failures...`);
    let offset = 0;
    const now = () => Date.now() + offset;
    const sim = await startVodSim({ accounts: [CREDS], now });
    const ding = await startDingTalkSim({ now, robots: [{ accessToken: 'bench', keywords: ['VOD'] }] });
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vrm-alerts-'));
    const built = require(path.join(ROOT, 'dist/index.js')) as { createHandler: (o: unknown) => Handler };
    const handler = built.createHandler({ env: { VOD_ENDPOINT: sim.url, DINGTALK_WEBHOOK: ding.webhook('bench'), DINGTALK_KEYWORDS: 'VOD', STATE_FILE: path.join(dir, 's.json'), VOD_REQUESTS_PER_SECOND: '100' }, now, logDestination: new Writable({ write: (_c, _e, cb) => cb() }) });
    const ctx = { credentials: CREDS, function: { timeout: 120 } };
    await handler(Buffer.from('{"triggerTime":"2026-01-01T00:00:00Z"}'), ctx);
    offset += 5 * 60_000;
    for (let i = 0; i < n; i++) sim.store.add({ ObjectPath: `http://d${i % 5}.example.com/v/${i}.mp4`, creationMs: now() - 60_000 + i, Status: 'Failed', Description: ['Origin Timeout', 'Internal Error', 'Origin Return StatusCode 5XX'][i % 3]! });
    const r = await handler(Buffer.from('{"triggerTime":"2026-01-01T00:05:00Z"}'), ctx);
    const maxBytes = Math.max(...ding.accepted.map((m) => m.bytes));
    rows.push({ group: 'alerts per run', figure: `${n} new failures: messages (largest body in bytes)`, value: ding.accepted.length, unit: `msg (${maxBytes} B)`, target: n < 50 ? '1 message' : '<= 20 messages, each <= 20,000 B', met: n < 50 ? ding.accepted.length === 1 : ding.accepted.length <= 20 && maxBytes <= 20_000 && r.alerts.pending === 0 });
    await sim.close();
    await ding.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function print() {
  const machine = `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
  const lines = ['| group | figure | ours | baseline | ratio | target | met |', '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    lines.push(`| ${r.group} | ${r.figure} | ${r.value} ${r.unit} | ${r.baseline ?? '-'} | ${r.ratio !== undefined ? `${r.ratio}x` : '-'} | ${r.target} | ${r.met === null ? '-' : r.met ? 'yes' : 'NO'} |`);
  }
  process.stdout.write(`\nMachine: ${machine}\n\n${lines.join('\n')}\n`);
  writeFileSync(path.join(ROOT, 'bench/results.json'), JSON.stringify({ machine, at: new Date().toISOString(), latencyMs: LATENCY, rows }, null, 2));
  process.stdout.write('\nwritten to bench/results.json\n');
  return rows.every((r) => r.met !== false);
}

async function main() {
  const only = process.argv.slice(2);
  const steps: Array<[string, () => unknown]> = [['scan', fullScan], ['quiet', quietRuns], ['memory', memory], ['cold', coldStart], ['alerts', alerts]];
  for (const [name, step] of steps) if (only.length === 0 || only.includes(name)) await step();
  const ok = print();
  if (!ok) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});
