// Time to alert (issue 21): URLs turn Failed at seeded random times over a simulated hour of timer ticks; from each
// failure to the robot's errcode 0 (the DingTalk simulator's clock is the runs' simulated clock, so that is the
// wait for the next tick plus that run's measured wall time), at the 1- and the 5-minute cadence
// (MONITOR_EVERY_MINUTES). Baselines: at 1 minute, the old fixed 5-minute cadence measured in the same run; at 5
// minutes, the mean wait of a failure at a random time (cadence / 2).
import { seededRandom } from '../../sim/random';
import { childRun, log, MIN, percentile, type Row, round, simClock, world } from '../harness';

const FAILURES = 20;
const HOUR = 60 * MIN;

interface Failure {
  url: string;
  createdMs: number;
  failedMs: number;
  submitted: boolean;
  failed: boolean;
  taskId?: string;
}

/** Seconds from each failure to the first accepted message naming its URL (NaN when none did). */
async function hourAt(every: number) {
  log(`time to alert: ${FAILURES} failures at random times over an hour, MONITOR_EVERY_MINUTES=${every} (${60 / every} runs)...`);
  const clock = simClock();
  const w = await world(2000, { now: clock.now });
  w.env.MONITOR_EVERY_MINUTES = String(every);
  try {
    await childRun(w.env, 120, clock.offset);
    const t0 = clock.now();
    const random = seededRandom(21);
    const failures: Failure[] = Array.from({ length: FAILURES }, (_, i) => {
      const failedMs = t0 + MIN + Math.floor(random() * (HOUR - 6 * MIN));
      return {
        url: `http://video.example.com/alert-time/item-${i}.mp4`,
        failedMs,
        createdMs: Math.max(t0 + 1000, failedMs - Math.floor(30_000 + random() * 210_000)),
        submitted: false,
        failed: false,
      };
    });
    let wallMs = 0;
    for (let tick = t0 + every * MIN; tick <= t0 + HOUR; tick += every * MIN) {
      // The world as it is at this tick: URLs submitted since the last, and those that failed since.
      for (const f of failures) {
        if (!f.submitted && f.createdMs <= tick) {
          f.taskId = w.sim.store.submit({ urls: [f.url], kind: 'file', atMs: f.createdMs }).taskIds[0];
          f.submitted = true;
        }
        if (!f.failed && f.failedMs <= tick) {
          w.sim.store.updateRow(f.taskId!, f.url, { Status: 'Failed', Description: 'Origin Timeout' });
          f.failed = true;
        }
      }
      clock.offset = tick - Date.now();
      const r = await childRun(w.env, 120, clock.offset);
      wallMs += r.wallMs;
    }
    const waits = failures.map((f) => {
      const m = w.ding.accepted.find((a) => (a.body.markdown?.text ?? a.body.text?.content ?? '').includes(f.url.slice(7)));
      return m ? (m.atMs - f.failedMs) / 1000 : Number.NaN;
    });
    const alerted = waits.filter((s) => !Number.isNaN(s));
    return { p50: percentile(alerted, 50), p95: percentile(alerted, 95), alerted: alerted.length, meanRunSec: wallMs / 1000 / (60 / every) };
  } finally {
    await w.close();
  }
}

export async function alertTime(): Promise<Row[]> {
  const rows: Row[] = [];
  const one = await hourAt(1);
  const five = await hourAt(5);
  const g = `time to alert: ${FAILURES} URLs failing at seeded random times over a simulated hour of ticks, from Failed to the robot's errcode 0`;
  for (const [every, m] of [
    [1, one],
    [5, five],
  ] as const) {
    const target = every * 60 + 15;
    rows.push({
      group: g,
      figure: `MONITOR_EVERY_MINUTES=${every}: p50 / p95 seconds (a run's mean wall time: ${round(m.meanRunSec, 1)} s)`,
      value: `${round(m.p50, 1)} / ${round(m.p95, 1)}`,
      unit: 's',
      baseline:
        every === 1
          ? `${round(five.p50, 1)} / ${round(five.p95, 1)} s (the old fixed 5-minute cadence, measured here)`
          : `${every * 30} s (p50: the mean wait, cadence / 2)`,
      ratio: every === 1 ? round(five.p95 / m.p95) : round(m.p50 / (every * 30)),
      target: `p95 <= cadence + 15 s (${target} s), ${FAILURES} of ${FAILURES} alerted`,
      met: m.p95 <= target && m.alerted === FAILURES,
    });
  }
  return rows;
}
