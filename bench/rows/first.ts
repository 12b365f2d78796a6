// First runs: the whole 3-day window read at 10,000, 100,000 and 1,000,000 rows, against today's full scan measured
// on the same simulator.
import { fullScan } from '../baseline';
import { CREDS, calls, childRun, DAY, endedByItself, LATENCY, log, MIN, mb, RATE, type Row, RSS_LIMIT, RSS_TARGET, round, world } from '../harness';

export async function firstRuns(): Promise<Row[]> {
  const rows: Row[] = [];
  const byN = new Map<number, number>();
  for (const n of [10_000, 100_000, 1_000_000]) {
    log(`first run, ${n.toLocaleString('en')} rows, ${RATE}/s...`);
    const w = await world(n);
    try {
      const r = await childRun(w.env, 120);
      if (!r.report) throw new Error(`first run at ${n} failed: ${r.error}`);
      const ours = calls(w.sim);
      byN.set(n, ours);
      w.sim.resetStats();
      log(`  today's full scan (${Math.ceil(n / 50)} pages; capped at 25 s, then projected)...`);
      const base = await fullScan(w.sim.url, CREDS, Date.now() - 3 * DAY + 20 * MIN, Date.now(), RATE, 25_000);
      const g = `first run, ${n.toLocaleString('en')} rows in the window (1% failed), ${RATE} requests/s, ${LATENCY} ms latency`;
      const projected = base.complete ? '' : ' (projected)';
      rows.push({
        group: g,
        figure: `API calls (ours vs today's full scan${projected})`,
        value: ours,
        unit: 'calls',
        baseline: base.calls,
        ratio: round(base.calls / ours),
        target: n === 1_000_000 ? `<= 2x the 10,000-row first run (${2 * byN.get(10_000)!})` : '-',
        met: n === 1_000_000 ? ours <= 2 * byN.get(10_000)! : null,
      });
      rows.push({
        group: g,
        figure: `wall time (ours vs today's full scan${projected})`,
        value: round(r.wallMs / 1000),
        unit: 's',
        baseline: round(base.ms / 1000),
        ratio: round(base.ms / r.wallMs),
        target: 'ended before the 120 s timeout (not killed), read complete: 1 of 1',
        met: endedByItself(r) && r.report.read.status === 'complete',
      });
      rows.push({
        group: g,
        figure: 'peak RSS of the run (fresh process)',
        value: mb(r.peakRss),
        unit: 'MB',
        target: RSS_TARGET,
        met: mb(r.peakRss) < RSS_LIMIT,
      });
      rows.push({
        group: g,
        figure: 'failures listed / counted as earlier',
        value: `${r.report.failures.new} / ${r.report.failures.backlog}`,
        unit: '',
        target: '-',
        met: null,
      });
    } finally {
      await w.close();
    }
  }
  return rows;
}
