// Work per run linear (issue 21): one run that meets 1,000, 10,000 and 50,000 new failures (an origin outage during
// a large batch refresh of merged 2,000-URL ids): its wall time and peak RSS, and the ratios between sizes, measured
// in the same run. A run that cannot deliver everything leaves the rest, counted, to the next runs; none is killed.
import { childRun, endedByItself, log, MIN, mb, type Row, round, simClock, world } from '../harness';

const SIZES = [1000, 10_000, 50_000] as const;
/** A faster VOD than the other groups: the reading is not what this row measures. */
const RATE = 50;
const LATENCY_MS = 10;
const MAX_RUNS = 4;

async function outage(n: number) {
  log(`work per run: ${n.toLocaleString('en')} new failures in one run (${RATE} requests/s, ${LATENCY_MS} ms)...`);
  const clock = simClock();
  const w = await world(2000, { now: clock.now, latencyMs: LATENCY_MS, rate: RATE });
  try {
    await childRun(w.env, 120, clock.offset);
    clock.offset += 5 * MIN;
    const at = clock.now() - 4 * MIN;
    for (let k = 0; k * 2000 < n; k++)
      w.sim.store.submit({
        urls: Array.from({ length: Math.min(2000, n - k * 2000) }, (_, i) => `http://video.example.com/outage/batch-${k}/seg-${String(i).padStart(5, '0')}.ts`),
        kind: 'file',
        atMs: at + k * 1000,
      });
    for (const r of w.sim.store.all())
      if (r.ObjectPath.includes('/outage/')) w.sim.store.updateRow(r.TaskId, r.ObjectPath, { Status: 'Failed', Description: 'Origin Timeout' });
    const first = await childRun(w.env, 120, clock.offset);
    let reported = first.report?.failures.new ?? 0;
    let runs = 1;
    let killed = first.killed ? 1 : 0;
    for (let last = first; runs < MAX_RUNS && (last.report?.read.rangesPending || last.report?.alerts.pending); runs++) {
      clock.offset += 5 * MIN;
      last = await childRun(w.env, 120, clock.offset);
      reported += last.report?.failures.new ?? 0;
      if (last.killed) killed++;
    }
    return { first, reported, runs, killed, messages: w.ding.accepted.length };
  } finally {
    await w.close();
  }
}

export async function linear(): Promise<Row[]> {
  const rows: Row[] = [];
  const g = `work per run: one run meeting N new failures (merged ids of 2,000, an origin outage), ${RATE} requests/s, ${LATENCY_MS} ms latency`;
  const out = new Map<number, Awaited<ReturnType<typeof outage>>>();
  for (const n of SIZES) out.set(n, await outage(n));
  for (const n of SIZES) {
    const o = out.get(n)!;
    const r = o.first.report;
    rows.push({
      group: g,
      figure: `${n.toLocaleString('en')}: wall time / peak RSS of the run; read status, ranges left; messages`,
      value: `${round(o.first.wallMs / 1000)} s / ${mb(o.first.peakRss)} MB; ${r?.read.status ?? o.first.error} , ${r?.read.rangesPending ?? '?'}; ${o.messages}`,
      unit: '',
      target: '-',
      met: null,
    });
    rows.push({
      group: g,
      figure: `${n.toLocaleString('en')}: failures reported / runs it took (the rest left, counted, to the next) / runs killed`,
      value: `${o.reported} of ${n} / ${o.runs} / ${o.killed}`,
      unit: '',
      target: `${n} of ${n}, 0 killed`,
      met: o.reported === n && o.killed === 0 && endedByItself(o.first),
    });
  }
  for (const [small, large] of [
    [SIZES[0], SIZES[1]],
    [SIZES[1], SIZES[2]],
  ] as const) {
    const size = large / small;
    const ratio = out.get(large)!.first.wallMs / out.get(small)!.first.wallMs;
    rows.push({
      group: g,
      figure: `time(${large / 1000}k) / time(${small / 1000}k), the first run of each`,
      value: round(ratio),
      unit: 'x',
      baseline: `${size}x (the size ratio)`,
      ratio: round(ratio / size),
      target: `<= ${1.5 * size}x (1.5x the size ratio)`,
      met: ratio <= 1.5 * size,
    });
  }
  return rows;
}
