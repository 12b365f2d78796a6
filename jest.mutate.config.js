// The tests StrykerJS runs against each mutant of the decision modules (stryker.config.json): the unit and property
// tests of those modules, which need no build (no handler-level test: they load dist/, which a mutant does not reach).
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: base.transform,
  roots: ['<rootDir>/test'],
  testMatch: [
    '**/test/decide/{verdict,ledger,state-io,good-run,coverage}.test.ts',
    '**/test/read/plan.test.ts',
    '**/test/read/range.test.ts',
    '**/test/state/lock.test.ts',
    '**/test/monitor/outbox.test.ts',
    '**/test/events/*.test.ts',
    '**/test/policy/{digest-day,invariants,plan,timing}.test.ts',
    '**/test/mutations/*.test.ts',
  ],
  testTimeout: 30000,
};
