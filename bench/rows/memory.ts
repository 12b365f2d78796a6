// Flat memory (issue 21): a quiet run with the state at its caps (MAX_WATCHED watched URLs, 50,000 delivered keys,
// MAX_FAILED_PATHS followed failures) under s.yaml's NODE_OPTIONS; bytes per watched URL and per key from the
// differences against a run with the same state empty of them, measured in the same run; the state files' size and
// the time to save and load them; whether the quiet run rewrote the large unchanged ledger. And the same run under
// smaller heap flags, with no target, to choose s.yaml's memorySize.
import { FileStateStore } from '../../lib/state/file-store';
import { AT_CAPS, type Caps, campaign, changedFields, ledgerLines, ledgerStamp, saveAndLoad, withCaps } from '../big-state';
import { deployedNodeOptions } from '../deployed';
import { childRun, endedByItself, log, MIN, mb, type Row, round, simClock, world } from '../harness';

const LATENCY_MS = 10;
const RSS_TARGET_MB = 96;

export async function memory(): Promise<Row[]> {
  const rows: Row[] = [];
  log('flat memory: quiet runs with the state empty, and at its caps, under three sets of heap flags...');
  const clock = simClock();
  const w = await world(2000, { now: clock.now, latencyMs: LATENCY_MS });
  try {
    await childRun(w.env, 120, clock.offset);
    const stateFile = w.env.STATE_FILE!;
    const base = (await new FileStateStore(stateFile).load(clock.now()))!.state;
    const watching = campaign(w.sim.store, clock.now());
    clock.offset += 5 * MIN;
    const quietRun = async (caps: Caps, nodeOptions = deployedNodeOptions()) => {
      // The keys and failures the first run found count toward the caps: exactly at them, none is let go.
      const atCap = {
        ...caps,
        keys: Math.max(0, caps.keys - Object.keys(base.reported).length),
        failed: Math.max(0, caps.failed - Object.keys(base.failedPaths).length),
      };
      const files = await saveAndLoad(stateFile, withCaps(base, watching, atCap, clock.now()), clock.now());
      const before = ledgerStamp(stateFile);
      const lines = ledgerLines(stateFile);
      const r = await childRun(w.env, 120, { offsetMs: clock.offset, nodeOptions });
      const rewritten = ledgerStamp(stateFile) !== before;
      return { r, files, rewritten, changed: rewritten ? changedFields(lines, ledgerLines(stateFile)) : 'none' };
    };
    const idle = await quietRun({ watched: 0, keys: 0, failed: 0 });
    const watched = await quietRun({ watched: AT_CAPS.watched, keys: 0, failed: 0 });
    const keys = await quietRun({ watched: 0, keys: AT_CAPS.keys, failed: 0 });
    const full = await quietRun(AT_CAPS);
    // The same, with recovery checks due (the followed failures last checked an hour ago): they move 3 entries.
    const due = await quietRun({ ...AT_CAPS, checkedAgoMs: 60 * MIN });
    const flags = deployedNodeOptions();
    const semi1 = await quietRun(AT_CAPS, flags.replace(/--max-semi-space-size=\d+/, '--max-semi-space-size=1'));
    const old90 = await quietRun(AT_CAPS, flags.replace(/--max-old-space-size=\d+/, '--max-old-space-size=90'));
    const g = `flat memory: a quiet run, the state at its caps (${AT_CAPS.watched.toLocaleString('en')} watched URLs, ${AT_CAPS.keys.toLocaleString('en')} delivered keys, ${AT_CAPS.failed.toLocaleString('en')} followed failures)`;
    const perUrl = (watched.r.peakRss - idle.r.peakRss) / AT_CAPS.watched;
    const perKey = (keys.r.peakRss - idle.r.peakRss) / AT_CAPS.keys;
    rows.push(
      {
        group: g,
        figure: `peak RSS under s.yaml's NODE_OPTIONS (${flags})`,
        value: mb(full.r.peakRss),
        unit: 'MB',
        baseline: `${mb(idle.r.peakRss)} MB (the same run, state empty)`,
        ratio: round(full.r.peakRss / idle.r.peakRss),
        target: `<= ${RSS_TARGET_MB} MB, ended by itself`,
        met: mb(full.r.peakRss) <= RSS_TARGET_MB && endedByItself(full.r),
      },
      { group: g, figure: 'bytes of peak RSS per watched URL (10,000 watched vs none)', value: Math.round(perUrl), unit: 'B', target: '-', met: null },
      { group: g, figure: 'bytes of peak RSS per delivered key (50,000 keys vs none)', value: Math.round(perKey), unit: 'B', target: '-', met: null },
      {
        group: g,
        figure: 'state files at the caps: head + <STATE_FILE>.ledger.json',
        value: `${round(full.files.headBytes / 1024, 1)} KiB + ${mb(full.files.ledgerBytes)} MB`,
        unit: '',
        target: '-',
        met: null,
      },
      {
        group: g,
        figure: 'time to save / load the state at the caps (lib/state/file-store.ts, in the bench process)',
        value: `${Math.round(full.files.saveMs)} / ${Math.round(full.files.loadMs)}`,
        unit: 'ms',
        target: '-',
        met: null,
      },
      {
        group: g,
        figure: 'a quiet run with no recovery check due rewrote the unchanged ledger file (inode, mtime, size before/after)',
        value: full.rewritten ? `rewritten (lines changed: ${full.changed})` : 'not rewritten',
        unit: '',
        target: 'not rewritten',
        met: !full.rewritten && endedByItself(full.r),
      },
      {
        group: g,
        figure: 'a quiet run with recovery checks due (failures last checked an hour ago): the ledger file',
        value: due.rewritten ? `rewritten (lines changed: ${due.changed})` : 'not rewritten',
        unit: '',
        target: '-',
        met: null,
      },
      {
        group: g,
        figure: 'peak RSS with --max-semi-space-size=1 (instead of 2)',
        value: endedByItself(semi1.r) ? mb(semi1.r.peakRss) : `died: ${semi1.r.killed}`,
        unit: endedByItself(semi1.r) ? 'MB' : '',
        baseline: `${mb(full.r.peakRss)} MB (s.yaml's flags)`,
        target: '-',
        met: null,
      },
      {
        group: g,
        figure: 'peak RSS with --max-old-space-size=90 (a memorySize of 128)',
        value: endedByItself(old90.r) ? mb(old90.r.peakRss) : `died: ${old90.r.killed}`,
        unit: endedByItself(old90.r) ? 'MB' : '',
        baseline: `${mb(full.r.peakRss)} MB (s.yaml's flags)`,
        target: '-',
        met: null,
      },
    );
  } finally {
    await w.close();
  }
  return rows;
}
