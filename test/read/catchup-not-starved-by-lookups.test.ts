// Review: after an outage, with a short timeout and a slow VOD, the ranges left over are read only after the
// watched rows are looked up, one lookup at a time. A handful of URLs hanging in Pending (each its own TaskId)
// eats every run's read budget, so the ranges left over are never read and the outage's failures never reported.
import { keyOf } from '../helpers/fakes';
import { failedSent, slowMonitor } from '../helpers/virtual';

const MIN = 60_000;
const HOUR = 60 * MIN;

it('catching up after a 3-hour outage (30 s timeout, VOD answering in 2 s) is not starved by 8 URLs hanging in Pending', async () => {
  const w = slowMonitor({ answerMs: 2000, timeoutMs: 30_000 });
  await w.run(); // first run, empty account
  // 8 single-URL refreshes that hang in Pending (a queue that never drains, an offline origin): each its own TaskId.
  const hung = Array.from({ length: 8 }, (_, i) =>
    w.api.add({ ObjectPath: `http://v.example.com/hung/${i}.mp4`, createdMs: w.clock.now() - 30_000, Status: 'Pending' }),
  );
  for (let i = 0; i < 3; i++) {
    w.clock.advance(5 * MIN);
    await w.run();
  }
  // The monitor is down for 3 hours (function disabled, a bad deploy). A busy account goes on: 60 rows a minute,
  // one in a hundred failing.
  const outageStart = w.clock.now();
  w.clock.advance(3 * HOUR);
  const failed: string[] = [];
  for (let i = 0; i < 3 * 60 * 60; i++) {
    const createdMs = outageStart + i * 1000;
    const fail = i % 100 === 0;
    const row = w.api.add({
      ObjectPath: `http://v.example.com/outage/${i}.mp4`,
      createdMs,
      Status: fail ? 'Failed' : 'Complete',
      ...(fail ? { Description: 'Origin Timeout' } : {}),
    });
    if (fail) failed.push(`failed:${keyOf(row)}`);
  }
  // Two hours of runs (24 ticks) after the outage; the account is quiet now.
  for (let i = 0; i < 24; i++) {
    await w.run();
    w.clock.advance(5 * MIN);
  }
  const sent = new Set(failedSent(w.notifier));
  const missing = failed.filter((k) => !sent.has(k));
  const last = w.reports.at(-1)!;
  // Expected: the 108 failures of the outage reported within two hours of runs, the pending ranges drained.
  expect({ missing: missing.length, rangesPending: last.read.rangesPending }).toEqual({ missing: 0, rangesPending: 0 });
  void hung;
});
