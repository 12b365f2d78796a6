// Bundles the Function Compute handler into dist/index.js (the folder s.yaml deploys), and the CLI into
// build/cli.js, so that the deployed folder holds only what a cold start loads.

import { existsSync, statSync } from 'node:fs';
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, legalComments: 'none', logLevel: 'warning' };
const targets = [
  { entryPoints: ['functions/index.ts'], outfile: 'dist/index.js' },
  { entryPoints: ['bin/cli.ts'], outfile: 'build/cli.js' },
  { entryPoints: ['demo/demo.ts'], outfile: 'build/demo.js', minify: false },
  { entryPoints: ['bench/bench.ts'], outfile: 'build/bench.js', minify: false, external: ['esbuild'] },
].filter((t) => existsSync(t.entryPoints[0]));
for (const t of targets) {
  await build({ ...common, ...t });
  console.log(`${t.outfile}  ${(statSync(t.outfile).size / 1024).toFixed(1)} KiB`);
}
