// Watched URLs cost what they change (issue 21): MAX_WATCHED URLs of merged 2,000-URL task ids still Refreshing cost a
// few calls a quiet run, about 1 call per 50 URLs when they cross the stuck threshold, and a late failure of one is
// reported by the next run. Baselines measured on the same simulator: the full scan of the window, and one lookup
// per URL crossing.
import { MAX_WATCHED } from '../../lib/decide/ledger';
import { fullScan } from '../baseline';
import { CREDS, calls, childRun, DAY, endedByItself, log, MIN, RATE, type Row, round, simClock, world } from '../harness';

const QUIET_RUNS = 5;
const STUCK_AFTER_MINUTES = 60;

export async function watchedCost(): Promise<Row[]> {
  const rows: Row[] = [];
  log(`watching at scale: ${MAX_WATCHED.toLocaleString('en')} URLs still Refreshing, quiet runs, the stuck threshold, a late failure...`);
  const clock = simClock();
  const w = await world(8000, { now: clock.now });
  w.env.STUCK_AFTER_MINUTES = String(STUCK_AFTER_MINUTES);
  const run = () => childRun(w.env, 120, clock.offset);
  try {
    await run();
    clock.offset += 5 * MIN;
    const created = clock.now() - 4 * MIN;
    const batches = Array.from({ length: Math.ceil(MAX_WATCHED / 2000) }, (_, k) =>
      w.sim.store.submit({
        urls: Array.from({ length: 2000 }, (_, i) => `http://video.example.com/campaign/show-${k}/1080p/segment-${String(i).padStart(5, '0')}.ts`),
        kind: 'file',
        atMs: created + k * 1000,
      }),
    );
    const watching = await run();
    // The next run reads them again in its overlap (VOD_SCAN_OVERLAP_SECONDS before its frontier), as every run does.
    clock.offset += 5 * MIN;
    w.sim.resetStats();
    await run();
    const overlap = calls(w.sim);
    const quiet: number[] = [];
    for (let i = 0; i < QUIET_RUNS; i++) {
      clock.offset += 5 * MIN;
      w.sim.resetStats();
      await run();
      quiet.push(calls(w.sim));
    }
    // Past the stuck threshold: every watched URL crosses it in this run.
    clock.offset = Math.max(clock.offset + 5 * MIN, created + (STUCK_AFTER_MINUTES + 2) * MIN - Date.now());
    w.sim.resetStats();
    const crossing = await run();
    const crossingCalls = calls(w.sim);
    // A late failure: one URL of each id fails after it was told stuck.
    for (const b of batches) w.sim.store.updateRow(b.rows[11]!.TaskId, b.rows[11]!.ObjectPath, { Status: 'Failed', Description: 'Origin Timeout' });
    clock.offset += 5 * MIN;
    w.sim.resetStats();
    const late = await run();
    const lateCalls = calls(w.sim);
    log('  the full scan of the window (capped at 10 s, then projected)...');
    w.sim.resetStats();
    const base = await fullScan(w.sim.url, CREDS, clock.now() - 3 * DAY + 20 * MIN, clock.now(), RATE, 10_000);
    const g = `${MAX_WATCHED.toLocaleString('en')} watched URLs (${batches.length} merged task ids of 2,000, still Refreshing), 8,000 other rows in the window`;
    const worstQuiet = Math.max(...quiet);
    const stuck = crossing.report?.stuck ?? 0;
    const extra = crossingCalls - worstQuiet;
    rows.push(
      {
        group: g,
        figure: `API calls per quiet run (worst of ${QUIET_RUNS}; the run that starts watching them: ${watching.report?.apiCalls ?? '?'}, the next, re-reading them in its overlap: ${overlap})`,
        value: worstQuiet,
        unit: 'calls',
        baseline: `${base.calls} (full scan of the window${base.complete ? '' : ', projected'})`,
        ratio: round(base.calls / worstQuiet),
        target: '<= 5 calls a run',
        met: worstQuiet <= 5 && quiet.length === QUIET_RUNS,
      },
      {
        group: g,
        figure: `the run where they cross STUCK_AFTER_MINUTES=${STUCK_AFTER_MINUTES}: URLs told stuck / calls (of which lookups)`,
        value: `${stuck} / ${crossingCalls} (${crossing.report?.read.lookups ?? '?'})`,
        unit: 'calls',
        baseline: `${stuck} (one lookup per URL crossing)`,
        ratio: round(stuck / Math.max(1, extra)),
        target: `<= 1 call per 50 URLs crossing, over a quiet run's calls (<= ${Math.floor(stuck / 50)} extra)`,
        met: stuck > 0 && extra <= stuck / 50 && endedByItself(crossing),
      },
      {
        group: g,
        figure: `late failures of URLs told stuck, reported by the next run (its calls: ${lateCalls})`,
        value: `${late.report?.failures.new ?? 0} of ${batches.length}`,
        unit: '',
        target: `${batches.length} of ${batches.length}`,
        met: late.report?.failures.new === batches.length,
      },
    );
  } finally {
    await w.close();
  }
  return rows;
}
