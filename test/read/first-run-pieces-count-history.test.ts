// Review: a first run too slow to finish leaves the 3-day window in pieces for later runs, which are no longer in
// first-run mode. The first run's listing rule must still hold for those pieces (lib/read/plan.ts): their old
// failures are counted once (by TotalCount, or by a whole read's rows once it settles), never listed one by one.
// (Pieces here are read whole; the filtered case is the same rule, by TotalCount, as in backlog-counted-once.)
import { failedSent, slowMonitor } from '../helpers/virtual';

const MIN = 60_000;

it('a first deploy that takes many runs (6,000 rows, VOD at 3 s, 30 s timeout): each old failure counted once, none listed', async () => {
  const w = slowMonitor({ answerMs: 3000, timeoutMs: 30_000 });
  const now = w.clock.now();
  let old = 0;
  for (let i = 0; i < 6_000; i++) {
    const fail = i % 100 === 7;
    if (fail) old++;
    w.api.add({
      ObjectPath: `http://v.example.com/h/${i}.mp4`,
      createdMs: now - 60 * 60 * MIN + i * 35_000,
      Status: fail ? 'Failed' : 'Complete',
      ...(fail ? { Description: 'Origin Timeout' } : {}),
    });
  }
  for (let run = 0; run < 120 && (run < 2 || (w.reports.at(-1)?.read.rangesPending ?? 1) > 0); run++) {
    await w.run();
    w.clock.advance(5 * MIN);
  }
  expect(w.reports.at(-1)!.read.rangesPending).toBe(0);
  const counted = w.reports.reduce((a, r) => a + r.failures.backlog, 0);
  expect({ listed: failedSent(w.notifier).length, counted }).toEqual({ listed: 0, counted: old });
}, 120_000);
