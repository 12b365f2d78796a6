// Review: a first run that cannot finish inside one run keeps none of its progress (frontier null, no pending
// ranges: lib/monitor/stages.ts decideStage), so every later run is the same first run and stops at the same
// point. Failures of the lookback are listed each time, but a row that was Refreshing or Pending before the
// lookback and fails later is never reported, the older failures are never counted, and nothing tells on-call.
import { keyOf } from '../helpers/fakes';
import { failedSent, slowMonitor } from '../helpers/virtual';

const MIN = 60_000;

it('first deploy with a 30 s timeout and VOD answering in 3 s (20,000 rows): the monitor leaves first-run mode, and a URL that was Refreshing for 90 minutes and then fails is reported', async () => {
  const w = slowMonitor({ answerMs: 3000, timeoutMs: 30_000 });
  const now = w.clock.now();
  for (let i = 0; i < 20_000; i++) w.api.add({ ObjectPath: `http://v.example.com/done/${i}.mp4`, createdMs: now - 71 * 60 * MIN + i * 12_700 });
  // Refreshing for an hour and a half when the monitor is deployed; it fails 40 minutes later.
  const slow = w.api.add({ ObjectPath: 'http://v.example.com/slow.mp4', createdMs: now - 90 * MIN, Status: 'Refreshing' });
  for (let run = 0; run < 24; run++) {
    if (run === 8) w.api.set(slow.TaskId, slow.ObjectPath, { Status: 'Failed', Description: 'Origin Timeout' });
    await w.run();
    w.clock.advance(5 * MIN);
  }
  const modes = [...new Set(w.reports.map((r) => r.read.mode))];
  expect({ modes, reported: failedSent(w.notifier) }).toEqual({
    modes: expect.arrayContaining([expect.stringMatching(/^incremental/)]),
    reported: [`failed:${keyOf(slow)}`],
  });
});
