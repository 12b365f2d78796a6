// The tests StrykerJS runs against each mutant of the decision modules (stryker.config.json): every test file in the
// folders that mirror those modules, except the handler-level ones. Those load the built bundle (dist/, through
// startWorld in test/helpers/world.ts or a child process), which a mutant of lib/ does not reach: they would pass
// against every mutant and only cost time.
const { readdirSync, readFileSync } = require('node:fs');
const path = require('node:path');
const base = require('./jest.config.js');

const FOLDERS = ['decide', 'read', 'state', 'monitor', 'events', 'policy'];
const LOADS_THE_BUNDLE = /startWorld\(|cli\/world'|dist\/|build\/|child_process|bench\/deployed/;

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
    .filter((file) => !LOADS_THE_BUNDLE.test(readFileSync(file, 'utf8')));
}

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: base.transform,
  rootDir: __dirname,
  roots: ['<rootDir>/test'],
  testMatch: FOLDERS.flatMap(unitTests),
  testTimeout: 30000,
};
