// The run folder of test/run-dir.js for each jest run StrykerJS starts (jest.mutate.config.js): the test files' temp
// dirs are inside it and go with it, as in `npm test`, even when jest skips a file's afterAll (a run of one covering
// test skips the hooks of the describe blocks it filters out). No build: a mutant of lib/ does not reach dist/.
const { startRunDir } = require('./run-dir');

module.exports = async function mutateSetup() {
  startRunDir();
};
