// The caps run to completion (issue 21): a state past the delivered keys' cap (52,000), with the watched set and
// the followed failures at theirs, is loaded, read and saved by a run that ends by itself inside the timeout, and
// the keys no later read can meet are let go down to the cap.
import { MAX_REPORTED_KEPT } from '../../lib/decide/retention';
import { FileStateStore } from '../../lib/state/file-store';
import { AT_CAPS, campaign, saveAndLoad, withCaps } from '../big-state';
import { childRun, endedByItself, log, MIN, mb, type Row, round, simClock, world } from '../harness';

const KEYS = 52_000;
const TIMEOUT_SEC = 120;

export async function caps(): Promise<Row[]> {
  log(
    `the caps: a run with ${KEYS.toLocaleString('en')} delivered keys, ${AT_CAPS.watched.toLocaleString('en')} watched URLs, ${AT_CAPS.failed.toLocaleString('en')} followed failures...`,
  );
  const clock = simClock();
  const w = await world(2000, { now: clock.now, latencyMs: 10 });
  try {
    await childRun(w.env, TIMEOUT_SEC, clock.offset);
    const stateFile = w.env.STATE_FILE!;
    const base = (await new FileStateStore(stateFile).load(clock.now()))!.state;
    const state = withCaps(
      base,
      campaign(w.sim.store, clock.now()),
      { ...AT_CAPS, keys: KEYS - Object.keys(base.reported).length, failed: AT_CAPS.failed - Object.keys(base.failedPaths).length },
      clock.now(),
    );
    await saveAndLoad(stateFile, state, clock.now());
    clock.offset += 5 * MIN;
    const r = await childRun(w.env, TIMEOUT_SEC, clock.offset);
    const after = (await new FileStateStore(stateFile).load(clock.now()))!.state;
    const kept = Object.keys(after.reported).length;
    const ok = endedByItself(r) && r.report?.read.status === 'complete' && kept <= MAX_REPORTED_KEPT;
    const g = `the caps: ${KEYS.toLocaleString('en')} delivered keys (cap ${MAX_REPORTED_KEPT.toLocaleString('en')}), ${AT_CAPS.watched.toLocaleString('en')} watched URLs, ${AT_CAPS.failed.toLocaleString('en')} followed failures, under s.yaml's NODE_OPTIONS`;
    return [
      { group: g, figure: 'wall time / peak RSS of the run', value: `${round(r.wallMs / 1000)} s / ${mb(r.peakRss)} MB`, unit: '', target: '-', met: null },
      {
        group: g,
        figure: `runs that loaded, read and saved the state and ended by themselves inside the ${TIMEOUT_SEC} s timeout (keys kept after it)`,
        value: `${ok ? 1 : 0} of 1 (${kept.toLocaleString('en')})`,
        unit: '',
        target: `1 of 1 (<= ${MAX_REPORTED_KEPT.toLocaleString('en')})`,
        met: ok,
      },
    ];
  } finally {
    await w.close();
  }
}
