// One handler run in a fresh process, as Function Compute runs it; the parent holds the simulators. Prints the report,
// the peak RSS sampled every 5 ms (and the kernel's max RSS), and the wall time.
// argv[2]: JSON {env, credentials, timeoutSec, payload, offsetMs} (offsetMs: the simulated time that passed, as the simulators see it).
const { createHandler } = require('../dist/index.js');
const { Writable } = require('node:stream');
const { env, credentials, timeoutSec, payload, offsetMs } = JSON.parse(process.argv[2]);
let peak = 0;
const sample = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 5);
const handler = createHandler({ env, now: () => Date.now() + (offsetMs || 0), logDestination: new Writable({ write: (_c, _e, cb) => cb() }) });
const started = Date.now();
handler(Buffer.from(JSON.stringify({ payload: payload || '' })), { requestId: 'bench', credentials, function: { timeout: timeoutSec } }).then(
  (report) => {
    clearInterval(sample);
    peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
    process.stdout.write(JSON.stringify({ report, peakRss: peak, wallMs: Date.now() - started }));
  },
  (err) => {
    clearInterval(sample);
    process.stdout.write(JSON.stringify({ error: String(err?.message), peakRss: peak, wallMs: Date.now() - started }));
  },
);
