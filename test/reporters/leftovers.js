// Fails the run when a test file left something in its temp dir, naming the file and what it left: every test
// removes what it creates (afterEach/afterAll). Each file's temp dir is its own (test/environment.js), so this names
// the culprit and never counts another run's folders. It also warns about vrm-* folders that appeared in the temp
// dir outside the run's folder since the run started: a child process given no TMPDIR may have made them, or another
// run on this machine did; they are listed, never removed.
const { readdirSync, statSync } = require('node:fs');
const path = require('node:path');
const { readRecords, runDir } = require('../run-dir');

const SHOWN = 5;

const list = (names) => names.slice(0, SHOWN).join(', ') + (names.length > SHOWN ? ` and ${names.length - SHOWN} more` : '');

/** The vrm-* and vod-refresh-monitor-* entries of `outer` born since `startedMs`, other runs' folders excepted. */
function newInOuter(outer, startedMs) {
  return readdirSync(outer).filter((name) => {
    if (!/^(vrm-|vod-refresh-monitor-)/.test(name) || name.startsWith('vrm-run-')) return false;
    try {
      const s = statSync(path.join(outer, name));
      return (s.birthtimeMs || s.ctimeMs) >= startedMs;
    } catch {
      return false;
    }
  });
}

class LeftoversReporter {
  constructor() {
    this.error = undefined;
  }

  onRunComplete() {
    const run = runDir();
    if (!run) return;
    const left = readRecords(run.dir).filter((r) => r.leftovers.length > 0);
    const out = [];
    if (left.length > 0) {
      out.push(`\n✕ ${left.length} test file(s) left temporary files behind (remove them in afterEach/afterAll):`);
      for (const r of left) out.push(`  ${r.file}: ${list(r.leftovers)}`);
      this.error = new Error(`${left.length} test file(s) left temporary files behind`);
    }
    const outside = newInOuter(run.outer, run.startedMs);
    if (outside.length > 0)
      out.push(
        `\n! ${outside.length} new vrm-* folder(s) in ${run.outer} outside this run's folder (a child without TMPDIR, or another run): ${list(outside)}`,
      );
    if (out.length > 0) process.stderr.write(`${out.join('\n')}\n`);
  }

  getLastError() {
    return this.error;
  }
}

module.exports = LeftoversReporter;
