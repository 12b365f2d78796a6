// The run's folder goes, whatever the tests left in it: test/reporters/leftovers.js has already named what that was.
const { endRunDir } = require('./run-dir');

module.exports = async function globalTeardown() {
  endRunDir();
};
