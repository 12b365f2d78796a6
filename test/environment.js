// jest's node environment, plus two things the reporters need from inside each test file: how long each test and
// hook ran against its own timeout (circus events), and what the file left in its temp dir. Each test file gets a
// temp dir of its own inside the run's folder (TMPDIR, before the test's process.env is copied from the real one),
// so what is left there is this file's, and nobody else's.
const { mkdtempSync, readdirSync, rmSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { TestEnvironment } = require('jest-environment-node');
const { recordFile, runDir } = require('./run-dir');

/** The test's name as jest prints it: its describe blocks, then its own title. */
function fullName(test) {
  const names = [];
  for (let block = test; block && block.name !== 'ROOT_DESCRIBE_BLOCK'; block = block.parent) names.unshift(block.name);
  return names.join(' > ');
}

class TimedEnvironment extends TestEnvironment {
  constructor(config, context) {
    const run = runDir();
    const fileTmp = run ? mkdtempSync(path.join(run.dir, 'tmp', `${path.basename(context.testPath, '.test.ts')}-`)) : null;
    if (fileTmp) process.env.TMPDIR = fileTmp;
    super(config, context);
    this.run = run;
    this.fileTmp = fileTmp;
    this.testPath = context.testPath;
    this.rootDir = config.projectConfig.rootDir;
    this.timings = [];
    this.started = new Map();
  }

  handleTestEvent(event, state) {
    const unit = event.name.startsWith('hook_') ? event.hook : event.test;
    if (event.name === 'test_fn_start' || event.name === 'hook_start') this.started.set(unit, performance.now());
    if (['test_fn_success', 'test_fn_failure', 'hook_success', 'hook_failure'].includes(event.name) && this.started.has(unit)) {
      const name = event.name.startsWith('hook_') ? `${fullName(unit.parent)} (${unit.type})`.trim() : fullName(unit);
      const ms = performance.now() - this.started.get(unit);
      this.started.delete(unit);
      this.timings.push({ name, ms: Math.round(ms), timeoutMs: unit.timeout || state.testTimeout });
    }
  }

  async teardown() {
    await super.teardown();
    if (!this.run) return;
    const leftovers = readdirSync(this.fileTmp);
    rmSync(this.fileTmp, { recursive: true, force: true, maxRetries: 5 });
    const file = path.relative(this.rootDir, this.testPath);
    writeFileSync(recordFile(this.run.dir, this.testPath), JSON.stringify({ file, timings: this.timings, leftovers }));
  }
}

module.exports = TimedEnvironment;
