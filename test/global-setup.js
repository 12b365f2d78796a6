// Tests of the deployed bundle (dist/index.js) and of the CLI (build/cli.js) must not run against a stale build:
// `npx jest` alone builds first, as `npm test` does. esbuild takes about a second.
//
// The run also gets a folder of its own in the temp dir (test/run-dir.js): the test files' temp dir is inside it, so
// what a test leaves behind is found there (test/reporters/leftovers.js) and never mixed up with other runs' folders.
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { startRunDir } = require('./run-dir');

module.exports = async function globalSetup() {
  execFileSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
  startRunDir();
};
