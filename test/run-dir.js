// The folder one jest run keeps in the temp dir: `tmp/` is the temp dir of its test files (each file gets its own
// folder inside, made by test/environment.js), `files/` holds what each file's environment measured and found left
// behind, for the reporters. globalSetup makes it, globalTeardown removes it; the variables carry it to the workers.
const { createHash } = require('node:crypto');
const { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const DIR = 'VRM_TEST_RUN_DIR';
const STARTED = 'VRM_TEST_RUN_STARTED_MS';
const OUTER_TMPDIR = 'VRM_TEST_OUTER_TMPDIR';
const TMPDIR_WAS = 'VRM_TEST_TMPDIR_WAS';

/** Makes the run's folder and points TMPDIR (read by os.tmpdir() and by every child process) into it. */
function startRunDir() {
  const outer = os.tmpdir();
  const dir = mkdtempSync(path.join(outer, 'vrm-run-'));
  mkdirSync(path.join(dir, 'tmp'));
  mkdirSync(path.join(dir, 'files'));
  const was = process.env.TMPDIR ?? '';
  Object.assign(process.env, { [DIR]: dir, [STARTED]: String(Date.now()), [OUTER_TMPDIR]: outer, [TMPDIR_WAS]: was, TMPDIR: path.join(dir, 'tmp') });
}

/** The run's folder, the temp dir outside it, and when the run started; null when jest ran without globalSetup. */
function runDir() {
  const dir = process.env[DIR];
  return dir ? { dir, outer: process.env[OUTER_TMPDIR], startedMs: Number(process.env[STARTED]) } : null;
}

/** Where the environment of `testPath` writes what it found. */
function recordFile(dir, testPath) {
  return path.join(dir, 'files', `${createHash('sha1').update(testPath).digest('hex').slice(0, 16)}.json`);
}

/** What every test file's environment wrote: { file, timings: [{ name, ms, timeoutMs }], leftovers: [names] }. */
function readRecords(dir) {
  const files = path.join(dir, 'files');
  return readdirSync(files).map((f) => JSON.parse(readFileSync(path.join(files, f), 'utf8')));
}

/** Removes the run's folder and gives TMPDIR back. */
function endRunDir() {
  const run = runDir();
  if (!run) return;
  rmSync(run.dir, { recursive: true, force: true, maxRetries: 5 });
  if (process.env[TMPDIR_WAS]) process.env.TMPDIR = process.env[TMPDIR_WAS];
  else delete process.env.TMPDIR;
}

module.exports = { startRunDir, runDir, recordFile, readRecords, endRunDir };
