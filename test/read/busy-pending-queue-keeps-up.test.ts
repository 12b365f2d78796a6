// Review: a busy account whose URLs wait in Pending a few minutes (a preload queue), each URL its own TaskId.
// Every Pending row the previous run saw lies again in this run's new range (the overlap), and readFiltered
// confirms each "known Pending" row with its own lookup, serially and without any cap
// (lib/read/range.ts confirmKnownPending -> lib/read/watched.ts lookUpRows). With VOD answering in 1 s the new
// range is never settled inside the shipped 120 s timeout: every run is "partial", a pending range is added every
// run and never read, watched rows are never checked again, and a queued URL that fails later is never reported.
import { keyOf } from '../helpers/fakes';
import { failedSent, slowMonitor } from '../helpers/virtual';

const MIN = 60_000;

it('1,000 rows per 5 minutes, 1 in 7 queued (Pending) for 7 minutes, VOD answering in 1 s, 120 s timeout: the monitor keeps up (runs complete, no pending ranges piling up) and a URL Refreshing for 30 minutes that then fails is reported', async () => {
  const w = slowMonitor({ answerMs: 1000, timeoutMs: 120_000 });
  await w.run();
  const queued: Array<{ TaskId: string; ObjectPath: string; at: number }> = [];
  let n = 0;
  let doomed: { TaskId: string; ObjectPath: string } | null = null;
  for (let tick = 0; tick < 14; tick++) {
    w.clock.advance(5 * MIN);
    const now = w.clock.now();
    for (const q of queued.filter((q) => now - q.at > 7 * MIN)) {
      w.api.set(q.TaskId, q.ObjectPath, { Status: 'Complete' });
    }
    for (let i = 0; i < 1000; i++, n++) {
      const at = now - 5 * MIN + i * 300;
      const row = w.api.add({ ObjectPath: `http://v.example.com/r/${n}.mp4`, createdMs: at, Status: i % 7 === 0 ? 'Pending' : 'Complete' });
      if (i % 7 === 0) queued.push({ ...row, at });
    }
    // One URL of the fourth busy tick stays Refreshing for 30 minutes, then fails.
    if (tick === 3) doomed = w.api.add({ ObjectPath: 'http://v.example.com/slow-origin.mp4', createdMs: now - 4 * MIN, Status: 'Refreshing' });
    if (tick === 9) w.api.set(doomed!.TaskId, doomed!.ObjectPath, { Status: 'Failed', Description: 'Origin Timeout' });
    await w.run();
  }
  const last = w.reports.at(-1)!;
  expect({
    reported: failedSent(w.notifier),
    lastRead: last.read.status,
    rangesPending: last.read.rangesPending,
  }).toEqual({ reported: [`failed:${keyOf(doomed!)}`], lastRead: 'complete', rangesPending: 0 });
}, 120_000);
