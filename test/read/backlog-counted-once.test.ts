// Review: a first run's history (failures older than the lookback) is one count line. It was counted twice when
// (1) a range read by Status filter also decided all-row pages (page 1, the Pending hunt): their old failures were
// added on top of the TotalCount that already held them; (2) a range read whole was cut short by the deadline: the
// rows read were counted, and counted again when the next run read the range.
import { slowMonitor } from '../helpers/virtual';

const MIN = 60_000;
const HOUR = 60 * MIN;

const backlogOf = (w: ReturnType<typeof slowMonitor>) => w.reports.reduce((a, r) => a + r.failures.backlog, 0);

it('by filter: a quiet last hour puts old failures on page 1; each is counted once', async () => {
  const w = slowMonitor({ answerMs: 10, timeoutMs: 120_000 });
  const now = w.clock.now();
  let old = 0;
  // 2,000 rows over the 3 days, none in the last 2 hours; one in 40 failed.
  for (let i = 0; i < 2000; i++) {
    const fail = i % 40 === 0;
    if (fail) old++;
    w.api.add({
      ObjectPath: `http://v.example.com/a/${i}.mp4`,
      createdMs: now - 71 * HOUR + i * 60_000,
      Status: fail ? 'Failed' : 'Complete',
      ...(fail ? { Description: 'Origin Timeout' } : {}),
    });
  }
  await w.run();
  expect(w.reports[0]!.read.status).toBe('complete');
  expect(backlogOf(w)).toBe(old);
});

it('read whole, cut short by the deadline: the next run reads the range again and the count is still once', async () => {
  // 400 rows (8 pages: read whole), VOD answering in 3 s, a 20 s timeout: a run reads a few pages only.
  const w = slowMonitor({ answerMs: 3000, timeoutMs: 20_000 });
  const now = w.clock.now();
  let old = 0;
  for (let i = 0; i < 400; i++) {
    const fail = i % 10 === 0;
    if (fail) old++;
    w.api.add({
      ObjectPath: `http://v.example.com/b/${i}.mp4`,
      createdMs: now - 60 * HOUR + i * 5 * MIN,
      Status: fail ? 'Failed' : 'Complete',
      ...(fail ? { Description: 'Internal Error' } : {}),
    });
  }
  for (let i = 0; i < 30 && (w.reports.at(-1)?.read.rangesPending ?? 1) > 0; i++) {
    await w.run();
    w.clock.advance(5 * MIN);
  }
  expect(w.reports.length).toBeGreaterThan(1);
  expect(w.reports.at(-1)!.read.rangesPending).toBe(0);
  expect(backlogOf(w)).toBe(old);
});
