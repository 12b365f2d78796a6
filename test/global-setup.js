// Tests of the deployed bundle (dist/index.js) and of the CLI (build/cli.js) must not run against a stale build:
// `npx jest` alone builds first, as `npm test` does. esbuild takes about a second.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function globalSetup() {
  execFileSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
};
