// Runs the built handler once in this process, for tests that kill it: argv[2] is JSON {env, credentials, triggerTime}.
const { createHandler } = require('../../dist/index.js');
const { env, credentials, triggerTime } = JSON.parse(process.argv[2]);
const handler = createHandler({ env, logDestination: { write: () => true } });
handler(Buffer.from(JSON.stringify({ triggerTime, triggerName: 'child' })), { requestId: 'child', credentials, function: { timeout: 60 } }).then(
  (report) => process.stdout.write(JSON.stringify(report)),
  (err) => {
    process.stderr.write(String(err?.message));
    process.exitCode = 1;
  },
);
