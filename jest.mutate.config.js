// The tests StrykerJS runs against each mutant of the decision modules (stryker.config.json): every test file in the
// folders that mirror those modules, except two kinds, which stay in `npm test`:
// - the handler-level ones: they load the built bundle (dist/, through startWorld in test/helpers/world.ts or a
//   child process), which a mutant of lib/ does not reach, so they would pass against every mutant;
// - the ones that drive whole runs (runMonitor, the virtual clock of test/helpers/virtual.ts): each goes through
//   most of lib/ for many runs, so against a mutant that keeps a run from settling it loops until the timeout, and
//   with them the mutation run takes hours on 2 cores. The decision modules' own tests must kill their mutants.
const { readdirSync, readFileSync } = require('node:fs');
const path = require('node:path');
const base = require('./jest.config.js');

const FOLDERS = ['decide', 'read', 'state', 'monitor', 'events', 'policy'];
const LOADS_THE_BUNDLE = /startWorld\(|cli\/world'|dist\/|build\/|child_process|bench\/deployed/;
const DRIVES_WHOLE_RUNS = /runMonitor\(|helpers\/virtual'/;

function unitTests(folder) {
  const dir = path.join(__dirname, 'test', folder);
  let names;
  try {
    names = readdirSync(dir, { recursive: true });
  } catch {
    return [];
  }
  return names
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => path.join(dir, name))
    .filter((file) => {
      const text = readFileSync(file, 'utf8');
      return !LOADS_THE_BUNDLE.test(text) && !DRIVES_WHOLE_RUNS.test(text);
    });
}

/** @type {import('jest').Config} */
module.exports = {
  // The project's environment and run folder: each test file's temp dir is made inside the run's folder, removed at its end.
  // (absolute: StrykerJS wraps the environment and requires its path as given, without <rootDir>)
  testEnvironment: path.join(__dirname, 'test', 'environment.js'),
  globalSetup: path.join(__dirname, 'test', 'mutate-setup.js'),
  globalTeardown: path.join(__dirname, 'test', 'global-teardown.js'),
  transform: base.transform,
  rootDir: __dirname,
  // lib/ is a root too: jest finds the tests related to a mutated file (--findRelatedTests) through the modules
  // between them, and a module outside the roots breaks that chain (the test is then never run against the mutant).
  roots: ['<rootDir>/test', '<rootDir>/lib'],
  testMatch: FOLDERS.flatMap(unitTests),
  testTimeout: 30000,
};
