#!/usr/bin/env node
// The CLI is bundled by `npm run build` into build/cli.js.
try {
  require('../build/cli.js');
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && String(err.message).includes('build/cli.js')) {
    process.stderr.write('vod-refresh-monitor: the CLI is not built yet; run `npm run build` first\n');
    process.exitCode = 2;
  } else {
    throw err;
  }
}
