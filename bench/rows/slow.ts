// A VOD answering in 3 s: the run ends before its timeout and leaves the rest for the next run.
import { calls, childRun, endedByItself, log, type Row, round, world } from '../harness';

export async function slowVod(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const timeoutSec of [120, 20]) {
    log(`a VOD answering in 3 s, 10,000 rows, function timeout ${timeoutSec} s...`);
    const w = await world(10_000, { latencyMs: 3000 });
    try {
      const r = await childRun(w.env, timeoutSec);
      const g = `first run against a VOD that answers in 3 s, 10,000 rows, function timeout ${timeoutSec} s`;
      rows.push({
        group: g,
        figure: 'wall time (the run must end, state saved, before its timeout)',
        value: round(r.wallMs / 1000),
        unit: 's',
        target: `ended before the ${timeoutSec} s timeout (not killed), state saved: 1 of 1`,
        met: endedByItself(r),
      });
      rows.push({
        group: g,
        figure: 'read status / ranges left for the next run',
        value: `${r.report?.read.status} / ${r.report?.read.rangesPending}`,
        unit: '',
        target: '-',
        met: null,
      });
      rows.push({ group: g, figure: 'API calls', value: calls(w.sim), unit: 'calls', target: '-', met: null });
    } finally {
      await w.close();
    }
  }
  return rows;
}
