// Cold start: the bundle's size and load time against the same code with node_modules, and without its source map.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deployedNodeOptions } from '../deployed';
import { log, mb, ROOT, type Row, round } from '../harness';

/**
 * Median load time of each module, in fresh processes under s.yaml's NODE_OPTIONS (so a source map is read as on
 * Function Compute), taken in turn so that a busy machine slows them alike.
 */
function medianLoadMs(files: string[], runs = 21): number[] {
  const samples = files.map((): number[] => []);
  const env = { ...process.env, NODE_OPTIONS: deployedNodeOptions() };
  const script = (file: string) =>
    `const t=process.hrtime.bigint(); require(${JSON.stringify(file)}); process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  for (let i = 0; i < runs; i++)
    for (const [k, file] of files.entries()) samples[k]!.push(Number(execFileSync(process.execPath, ['-e', script(file)], { encoding: 'utf8', env })));
  return samples.map((s) => s.sort((a, b) => a - b)[Math.floor(runs / 2)]!);
}

/** The same bundle without its source map (the `sourceMappingURL` line cut), as it shipped before the map. */
function withoutMap(bundle: string): string {
  const dir = path.join(ROOT, 'build/bench-nomap');
  mkdirSync(dir, { recursive: true });
  const copy = path.join(dir, 'index.js');
  writeFileSync(copy, readFileSync(bundle, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'));
  return copy;
}

/**
 * The bundle's size and load time, against the baseline of deploying the same code with node_modules (our code
 * bundled, every package loaded from node_modules as an unbundled deploy would), and against itself without its
 * source map, measured alternately in this run. Targets are ratios between them, never a time.
 */
export async function coldStart(): Promise<Row[]> {
  const rows: Row[] = [];
  log('cold start...');
  const bundle = path.join(ROOT, 'dist/index.js');
  const unbundled = path.join(ROOT, 'build/unbundled-index.js');
  const { build } = await import('esbuild');
  await build({
    entryPoints: [path.join(ROOT, 'functions/index.ts')],
    outfile: unbundled,
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
  });
  const [ours, base, noMap] = medianLoadMs([bundle, unbundled, withoutMap(bundle)]) as [number, number, number];
  const idle = Number(
    execFileSync(process.execPath, ['-e', `require(${JSON.stringify(bundle)}); process.stdout.write(String(process.memoryUsage().rss))`], { encoding: 'utf8' }),
  );
  const size = statSync(bundle).size;
  rows.push({
    group: 'cold start',
    figure: 'dist/index.js size (the whole deployed code)',
    value: round(size / 1024 / 1024, 3),
    unit: 'MB',
    target: '<= 1.5 MB',
    met: size <= 1.5 * 1024 * 1024,
  });
  rows.push({
    group: 'cold start',
    figure: 'median load time of the bundle, 21 fresh processes',
    value: round(ours, 1),
    unit: 'ms',
    baseline: `${round(base, 1)} ms (same code, packages from node_modules)`,
    ratio: round(base / ours),
    target: '>= 1.1x faster than the baseline',
    met: base / ours >= 1.1,
  });
  const mapSize = statSync(`${bundle}.map`).size;
  rows.push({
    group: 'cold start',
    figure: 'dist/index.js.map size (stacks name lib/*.ts and line; no sources inside)',
    value: round(mapSize / 1024 / 1024, 3),
    unit: 'MB',
    target: '-',
    met: null,
  });
  rows.push({
    group: 'cold start',
    figure: 'median load time of the bundle, its source map read (--enable-source-maps)',
    value: round(ours, 1),
    unit: 'ms',
    baseline: `${round(noMap, 1)} ms (the same bundle without its map)`,
    ratio: round(ours / noMap),
    target: '<= 1.5x the bundle without its map',
    met: ours / noMap <= 1.5,
  });
  rows.push({ group: 'cold start', figure: 'RSS with the bundle loaded, idle', value: mb(idle), unit: 'MB', target: '-', met: null });
  return rows;
}
