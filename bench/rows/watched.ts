// The watched set at its cap: MAX_WATCHED rows still Refreshing, the state at its largest.
import { MAX_WATCHED } from '../../lib/decide/ledger';
import { calls, childRun, endedByItself, log, MIN, mb, type Row, RSS_LIMIT, RSS_TARGET, round, world } from '../harness';

/** MAX_WATCHED rows unfinished (a campaign of merged 2,000-URL ids still Refreshing): the state at its largest. */
export async function watchedAtLimit(): Promise<Row[]> {
  const rows: Row[] = [];
  log(`watched at the limit: ${MAX_WATCHED.toLocaleString('en')} rows still Refreshing...`);
  let offset = 0;
  const now = () => Date.now() + offset;
  const w = await world(100_000, { now });
  try {
    await childRun(w.env, 120, offset);
    offset += 5 * MIN;
    const batches = Array.from({ length: Math.ceil(MAX_WATCHED / 2000) }, (_, k) =>
      w.sim.store.submit({
        urls: Array.from({ length: 2000 }, (_, i) => `http://video.example.com/campaign/show-${k}/1080p/segment-${String(i).padStart(5, '0')}.ts`),
        kind: 'file',
        atMs: now() - 4 * MIN + k * 1000,
      }),
    );
    const first = await childRun(w.env, 120, offset);
    offset += 5 * MIN;
    for (const b of batches) w.sim.store.updateRow(b.rows[7]!.TaskId, b.rows[7]!.ObjectPath, { Status: 'Failed', Description: 'Origin Timeout' });
    w.sim.resetStats();
    const r = await childRun(w.env, 120, offset);
    const g = `${MAX_WATCHED.toLocaleString('en')} rows watched (${batches.length} merged ids of 2,000 URLs, still Refreshing), 100,000 in the window, under s.yaml's NODE_OPTIONS`;
    rows.push({
      group: g,
      figure: 'peak RSS, the run that starts watching them',
      value: mb(first.peakRss),
      unit: 'MB',
      target: RSS_TARGET,
      met: mb(first.peakRss) < RSS_LIMIT,
    });
    rows.push({
      group: g,
      figure: 'peak RSS, the next run (checks them all)',
      value: mb(r.peakRss),
      unit: 'MB',
      target: RSS_TARGET,
      met: mb(r.peakRss) < RSS_LIMIT,
    });
    rows.push({ group: g, figure: 'API calls of the next run', value: calls(w.sim), unit: 'calls', target: '-', met: null });
    rows.push({
      group: g,
      figure: 'wall time of the next run',
      value: round(r.wallMs / 1000),
      unit: 's',
      target: 'ended before the 120 s timeout: 1 of 1',
      met: endedByItself(r),
    });
    rows.push({
      group: g,
      figure: 'URLs that failed meanwhile, reported',
      value: r.report?.failures.new ?? -1,
      unit: '',
      target: String(batches.length),
      met: r.report?.failures.new === batches.length,
    });
  } finally {
    await w.close();
  }
  return rows;
}
