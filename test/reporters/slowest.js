// Prints the ten slowest tests and hooks of the run, each with its time and the share of its own timeout it used,
// and fails the run when one used more than half of it. Such a test passes on a
// quiet machine and times out on one twice as busy: failing here names it and its figures while it still passes,
// where a timeout later would fail the run anyway, at random, with nothing but "Exceeded timeout".
// The times come from test/environment.js: a test's own function, or a hook, each against the timeout jest gave it.
const { readRecords, runDir } = require('../run-dir');

const COUNT = 10;
const SHARE = 0.5;

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

class SlowestReporter {
  constructor() {
    this.error = undefined;
  }

  onRunComplete() {
    const run = runDir();
    if (!run) return;
    const units = readRecords(run.dir).flatMap((r) => r.timings.map((t) => ({ ...t, file: r.file, used: t.ms / t.timeoutMs })));
    if (units.length === 0) return;
    units.sort((a, b) => b.ms - a.ms);
    const line = (u) =>
      `${seconds(u.ms).padStart(8)}  ${`${Math.round(u.used * 100)}%`.padStart(4)} of ${seconds(u.timeoutMs)}  ${u.file} > ${u.name.replace(/\s+/g, ' ')}`;
    const out = [`\nThe ${Math.min(COUNT, units.length)} slowest tests and hooks (time, share of their timeout):`, ...units.slice(0, COUNT).map(line)];
    const over = units.filter((u) => u.used > SHARE).sort((a, b) => b.used - a.used);
    if (over.length > 0) {
      out.push(
        `\n✕ ${over.length} test(s) or hook(s) used more than ${Math.round(SHARE * 100)}% of their timeout: make them faster (do not raise the timeout).`,
      );
      out.push(...over.map(line));
      this.error = new Error(`${over.length} test(s) used more than ${Math.round(SHARE * 100)}% of their timeout`);
    }
    process.stderr.write(`${out.join('\n')}\n`);
  }

  getLastError() {
    return this.error;
  }
}

module.exports = SlowestReporter;
