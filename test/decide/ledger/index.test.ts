import fc from 'fast-check';
import { Ledger } from '../../../lib/decide/ledger';
import { failedKey, recoveredKey } from '../../../lib/events/keys';
import { rowKey } from '../../../lib/identity';
import { emptyState, type MonitorState } from '../../../lib/state/schema';
import { formatApiTime } from '../../../lib/vod/time';
import type { RefreshTask } from '../../../lib/vod/types';
import { silentLogger } from '../../helpers/fakes';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const MIN = 60_000;
const URL = 'http://v.example.com/a.mp4';
const ctx = { nowMs: NOW, listSinceMs: -Infinity, stuckAfterMs: 30 * MIN, legacyBeforeMs: null, wanted: () => true };

function row(taskId: string, status: string, ageMin: number): RefreshTask {
  const createdAtMs = NOW - ageMin * MIN;
  return {
    taskId,
    objectPath: URL,
    objectType: 'file',
    status,
    process: '',
    creationTime: formatApiTime(createdAtMs),
    createdAtMs,
    description: status === 'Failed' ? 'Origin Timeout' : null,
  };
}

/** One run of the ledger over `rows` (in that order), from `state`; returns the next state and the run's events. */
function run(state: MonitorState, rows: RefreshTask[]) {
  const l = new Ledger(state, ctx, silentLogger());
  l.observe(rows);
  const d = l.finish();
  const reported = { ...state.reported };
  for (const e of d.events) reported[e.key] = NOW + 3 * 86_400_000;
  return { state: { ...state, watching: d.watching, failedPaths: d.failedPaths, recoveredPaths: d.recoveredPaths, reported }, events: d.events };
}

describe('the ledger: one recovery per URL per outage', () => {
  it('a URL that failed twice under two task ids and then completed is recovered once, whatever runs read the rows again', () => {
    const f1 = row('7001', 'Failed', 40);
    const f2 = row('7002', 'Failed', 20);
    const ok = row('7003', 'Complete', 5);
    let s = run(emptyState(NOW), [f1]).state;
    s = run(s, [f2]).state;
    const first = run(s, [f1, f2, ok]);
    // Later runs read the same rows again (their overlap, a widened read, a recovery check), in any order.
    const again = [run(first.state, [f1, ok]), run(first.state, [ok, f1, f2]), run(run(first.state, [f1]).state, [ok])];
    const recoveries = [first, ...again].flatMap((r) => r.events.filter((e) => e.kind === 'recovered'));
    expect(recoveries.map((e) => e.key)).toEqual([recoveredKey(rowKey('7002', URL))]);
  });

  it('a failure after the recovery is a new outage: followed again, and recovered again (property: any order of re-reads)', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }), (order) => {
        const rows = [row('7001', 'Failed', 50), row('7002', 'Complete', 40), row('7003', 'Failed', 30)];
        let s = run(emptyState(NOW), [rows[0]!]).state;
        s = run(s, [rows[1]!]).state;
        const later = run(
          s,
          order.map((i) => rows[i]!),
        );
        expect(later.state.failedPaths[URL]?.taskId).toBe('7003');
        expect(later.events.map((e) => e.key)).toEqual([failedKey(rowKey('7003', URL))]);
        const fixed = run(later.state, [row('7004', 'Complete', 10), ...order.map((i) => rows[i]!)]);
        expect(fixed.events.filter((e) => e.kind === 'recovered').map((e) => e.key)).toEqual([recoveredKey(rowKey('7003', URL))]);
      }),
    );
  });
});
