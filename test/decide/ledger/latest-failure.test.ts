import { Ledger } from '../../../lib/decide/ledger';
import type { VerdictContext } from '../../../lib/decide/verdict';
import { rowKey } from '../../../lib/identity';
import { emptyState } from '../../../lib/state/schema';
import { formatApiTime } from '../../../lib/vod/time';
import type { RefreshTask } from '../../../lib/vod/types';
import { silentLogger } from '../../helpers/fakes';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const MIN = 60_000;
const PATH = 'http://v.example.com/a.mp4';
const ctx: VerdictContext = { nowMs: NOW, listSinceMs: -Infinity, stuckAfterMs: 30 * MIN, legacyBeforeMs: null, wanted: () => true };

function row(taskId: string, status: string, ageMin: number): RefreshTask {
  const createdAtMs = NOW - ageMin * MIN;
  const description = status === 'Failed' ? 'Origin Timeout' : null;
  return { taskId, objectPath: PATH, objectType: 'file', status, process: '0%', creationTime: formatApiTime(createdAtMs), createdAtMs, description };
}

describe('a path that failed more than once remembers its latest failure, whatever order the rows are read in', () => {
  // Failed at -20, completed at -15, failed again at -10: the path's last refresh failed.
  const newer = row('7003', 'Failed', 10);
  const between = row('7002', 'Complete', 15);
  const older = row('7001', 'Failed', 20);

  it.each([
    ['newest first, as a whole read lists them', [newer, between, older]],
    ['failures first, as a read by Status filter and a later recovery check see them', [newer, older, between]],
  ])('%s: the failure at -10 is the one kept, and the completion before it is no recovery, in this run or the next', (_name, rows) => {
    const first = new Ledger(emptyState(NOW), ctx, silentLogger());
    for (const r of rows) first.observe([r]);
    const d = first.finish();
    expect(d.failedPaths[PATH]).toMatchObject({ key: rowKey(newer.taskId, PATH), createdAtMs: newer.createdAtMs });
    expect(d.events.filter((e) => e.kind === 'recovered')).toEqual([]);
    // The next run re-reads the overlap: the same completion must not be taken for a recovery of the older failure.
    const reported = Object.fromEntries(d.events.map((e) => [e.key, NOW + 86_400_000]));
    const next = new Ledger({ ...emptyState(NOW), failedPaths: d.failedPaths, reported }, { ...ctx, nowMs: NOW + 5 * MIN }, silentLogger());
    next.observe([newer, between, older]);
    const d2 = next.finish();
    expect(d2.events).toEqual([]);
    expect(d2.failedPaths[PATH]?.key).toBe(rowKey(newer.taskId, PATH));
  });
});
