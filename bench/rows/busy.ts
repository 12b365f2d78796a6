// A busy run: 5,000 rows created since the last run, against reading every new row.
import { calls, childRun, log, MIN, mb, type Row, RSS_LIMIT, RSS_TARGET, round, world } from '../harness';

export async function busyRun(): Promise<Row[]> {
  const rows: Row[] = [];
  log('busy run: 5,000 rows created since the last run...');
  let offset = 0;
  const now = () => Date.now() + offset;
  const w = await world(100_000, { now });
  try {
    await childRun(w.env, 120, offset);
    offset += 5 * MIN;
    const t = now();
    w.sim.store.addMany(
      Array.from({ length: 5000 }, (_, i) => ({
        ObjectPath: `http://video.example.com/busy/${i}.mp4`,
        creationMs: t - 5 * MIN + 2000 + i * 55,
        Status: i % 100 === 0 ? 'Failed' : i % 400 === 1 ? 'Refreshing' : 'Complete',
        ...(i % 100 === 0 ? { Description: 'Origin Timeout' } : {}),
      })),
    );
    w.sim.resetStats();
    const r = await childRun(w.env, 120, offset);
    const ours = calls(w.sim);
    const every = Math.ceil(5000 / 50) + 1;
    const g = 'busy run: 5,000 rows created since the last run (50 failed, 12 refreshing), 100,000 in the window';
    rows.push({
      group: g,
      figure: 'API calls (ours vs reading every new row)',
      value: ours,
      unit: 'calls',
      baseline: every,
      ratio: round(every / ours),
      target: `<= 1/5 of reading every new row (${Math.floor(every / 5)})`,
      met: ours <= every / 5,
    });
    rows.push({ group: g, figure: 'new failures reported', value: r.report?.failures.new ?? -1, unit: '', target: '50', met: r.report?.failures.new === 50 });
    rows.push({
      group: g,
      figure: 'peak RSS of the run (fresh process)',
      value: mb(r.peakRss),
      unit: 'MB',
      target: RSS_TARGET,
      met: mb(r.peakRss) < RSS_LIMIT,
    });
  } finally {
    await w.close();
  }
  return rows;
}
