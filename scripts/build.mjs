// Bundles the Function Compute handler into dist/index.js (the folder s.yaml deploys), and the CLI into
// build/cli.js, so that the deployed folder holds only what a cold start loads. The handler ships with its source
// map (dist/index.js.map, without the sources' text): with --enable-source-maps (s.yaml's NODE_OPTIONS) a stack in
// SLS names lib/*.ts, the line and the function; npm run bench measures what reading it costs a cold start.

import { existsSync, statSync } from 'node:fs';
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, legalComments: 'none', logLevel: 'warning' };
const targets = [
  { entryPoints: ['functions/index.ts'], outfile: 'dist/index.js', sourcemap: 'linked', sourcesContent: false },
  { entryPoints: ['bin/cli.ts'], outfile: 'build/cli.js' },
  { entryPoints: ['demo/demo.ts'], outfile: 'build/demo.js', minify: false },
  { entryPoints: ['bench/bench.ts'], outfile: 'build/bench.js', minify: false, external: ['esbuild'] },
].filter((t) => existsSync(t.entryPoints[0]));
for (const t of targets) {
  await build({ ...common, ...t });
  console.log(`${t.outfile}  ${(statSync(t.outfile).size / 1024).toFixed(1)} KiB`);
}
