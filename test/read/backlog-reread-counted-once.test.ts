// Review: a first run's history is said to be counted once. A whole read whose TotalCount changes while it is read
// (a row the API lists late) is read a second time by VodReader.list; every old failure is then decided twice, and
// the 'backlog' verdict adds it to the range's history each time: the count line says twice the real number.
import { slowMonitor } from '../helpers/virtual';

const MIN = 60_000;
const HOUR = 60 * MIN;

it('a whole first-run read that is read twice (TotalCount changed) counts each old failure once', async () => {
  const w = slowMonitor({ answerMs: 10, timeoutMs: 120_000 });
  const now = w.clock.now();
  let old = 0;
  // 300 rows over the 3 days (6 pages: read whole), none in the last 2 hours; one in 10 failed.
  for (let i = 0; i < 300; i++) {
    const fail = i % 10 === 0;
    if (fail) old++;
    w.api.add({
      ObjectPath: `http://v.example.com/a/${i}.mp4`,
      createdMs: now - 70 * HOUR + i * 10 * MIN,
      Status: fail ? 'Failed' : 'Complete',
      ...(fail ? { Description: 'Origin Timeout' } : {}),
    });
  }
  // A row listed late: it appears (created 10 s before now) once page 2 of the listing is asked for.
  const inner = w.api.describeRefreshTasks.bind(w.api);
  let added = false;
  w.api.describeRefreshTasks = async (p: Record<string, string>) => {
    if (!added && p.PageNumber === '2' && !p.Status) {
      added = true;
      w.api.add({ ObjectPath: 'http://v.example.com/late.mp4', createdMs: now - 10_000, Status: 'Complete' });
    }
    return inner(p);
  };
  await w.run();
  expect(added).toBe(true);
  expect(w.reports[0]!.read.status).toBe('complete');
  expect(w.reports[0]!.failures.backlog).toBe(old);
});
