// npm run bench: what a run costs at the sizes real accounts reach — API calls, wall time, peak memory, cold start,
// alert volume, watching at scale — each next to a baseline measured in the same run. One module per group of rows
// (bench/rows/); `node build/bench.js <group>...` runs some. Prints the table, writes bench/results.json, and exits
// non-zero only when a target (a ratio or a count, never an absolute time) is not met. Not part of npm test.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LATENCY, ROOT, type Row } from './harness';
import { alertTime } from './rows/alert-time';
import { alerts } from './rows/alerts';
import { autoRefresh } from './rows/auto';
import { busyRun } from './rows/busy';
import { caps } from './rows/caps';
import { coldStart } from './rows/cold';
import { firstRuns } from './rows/first';
import { linear } from './rows/linear';
import { memory } from './rows/memory';
import { quietRuns } from './rows/quiet';
import { watchedCost } from './rows/scale';
import { slowVod } from './rows/slow';
import { watchedAtLimit } from './rows/watched';

/** Every group, in the order a full run takes them. */
const GROUPS: ReadonlyArray<readonly [string, () => Promise<Row[]>]> = [
  ['first', firstRuns],
  ['busy', busyRun],
  ['watched', watchedAtLimit],
  ['quiet', quietRuns],
  ['slow', slowVod],
  ['cold', coldStart],
  ['alerts', alerts],
  ['auto', autoRefresh],
  ['scale', watchedCost],
  ['alert-time', alertTime],
  ['memory', memory],
  ['linear', linear],
  ['caps', caps],
];

const cell = (s: string) => s.replace(/\|/g, '\\|');

function table(rows: readonly Row[]): string {
  const lines = ['| group | figure | ours | baseline | ratio | target | met |', '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const r of rows)
    lines.push(
      `| ${cell(r.group)} | ${cell(r.figure)} | ${r.value} ${r.unit} | ${r.baseline ?? '-'} | ${r.ratio !== undefined ? `${r.ratio}x` : '-'} | ${cell(r.target)} | ${r.met === null ? '-' : r.met ? 'yes' : 'NO'} |`,
    );
  return lines.join('\n');
}

interface Results {
  machine: string;
  at: string;
  latencyMs: number;
  secondsPerGroup: Record<string, number>;
  rows: Array<Row & { bench: string }>;
}

/** bench/results.json: a run of some groups replaces their rows and keeps the others' from the last run (each says when). */
function writeResults(now: Results) {
  const out = path.join(ROOT, 'bench/results.json');
  const before: Partial<Results> = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as Results) : {};
  const ran = new Set(Object.keys(now.secondsPerGroup));
  const kept = (before.rows ?? []).filter((r) => r.bench && !ran.has(r.bench));
  const order = (r: { bench: string }) => GROUPS.findIndex(([n]) => n === r.bench);
  const rows = [...kept, ...now.rows.map((r) => ({ ...r, at: now.at }))].sort((a, b) => order(a) - order(b));
  const secondsPerGroup = { ...(before.secondsPerGroup ?? {}), ...now.secondsPerGroup };
  writeFileSync(out, `${JSON.stringify({ ...now, secondsPerGroup, rows }, null, 2)}\n`);
}

async function main() {
  const only = process.argv.slice(2);
  const unknown = only.filter((g) => !GROUPS.some(([name]) => name === g));
  if (unknown.length) {
    process.stderr.write(`no such group: ${unknown.join(', ')}; the groups: ${GROUPS.map(([n]) => n).join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  const started = Date.now();
  const rows: Array<Row & { bench: string }> = [];
  const took: Record<string, number> = {};
  for (const [name, group] of GROUPS)
    if (only.length === 0 || only.includes(name)) {
      const t = Date.now();
      rows.push(...(await group()).map((r) => ({ ...r, bench: name })));
      took[name] = Math.round((Date.now() - t) / 1000);
    }
  const cpus = os.cpus();
  const machine = `${cpus[0]?.model ?? 'cpu'} x${cpus.length}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
  const totalSec = Math.round((Date.now() - started) / 1000);
  process.stdout.write(`\nMachine: ${machine}\nGroups (s): ${JSON.stringify(took)}, total ${totalSec} s\n\n${table(rows)}\n`);
  writeResults({ machine, at: new Date().toISOString(), latencyMs: LATENCY, secondsPerGroup: took, rows });
  const missed = rows.filter((r) => r.met === false);
  process.stdout.write(`\nwritten to bench/results.json; ${missed.length ? `${missed.length} target(s) NOT met` : 'every target met'}\n`);
  if (missed.length) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack}\n`);
  process.exitCode = 1;
});
