// Review: Ledger.watch() computes Object.keys(this.watching).length for every new unfinished row
// (lib/decide/ledger.ts:244): deciding N new unfinished rows costs O(N × watched). 10,000 new Refreshing rows (five
// merged ids of 2,000 URLs, the size the README's own fault table exercises) cost seconds of CPU, and 20,000 about
// 50 s in the built handler (measured: a 20,000-row run took 54 s of which ~4 s were API calls), all of it outside
// any deadline check, on a 128 MB Function Compute instance that has a fraction of a vCPU.
import { Ledger } from '../../../lib/decide/ledger';
import { emptyState } from '../../../lib/state/schema';
import type { RefreshTask } from '../../../lib/vod/types';
import { silentLogger } from '../../helpers/fakes';

// Counted, not timed (a test never asserts on a clock): the quadratic cost was a listing of the watched set for every
// new row, so the listings of a dictionary made while deciding 10,000 rows in 200 pages must not grow with the rows.
it('deciding 10,000 new Refreshing rows (5 merged ids) lists the watched set a bounded number of times, not once a row', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  const ledger = new Ledger(
    emptyState(now),
    { nowMs: now, listSinceMs: -Infinity, stuckAfterMs: 30 * 60_000, legacyBeforeMs: null, wanted: () => true },
    silentLogger(),
  );
  const rows: RefreshTask[] = Array.from({ length: 10_000 }, (_, i) => ({
    taskId: String(700_000_000 + Math.floor(i / 2000)),
    objectPath: `http://v.example.com/show/${Math.floor(i / 2000)}/seg-${i}.ts`,
    objectType: 'file',
    status: 'Refreshing',
    process: '10%',
    creationTime: '2026-11-28T11:55:00Z',
    createdAtMs: now - 5 * 60_000,
    description: null,
  }));
  const listings = [jest.spyOn(Object, 'keys'), jest.spyOn(Object, 'entries'), jest.spyOn(Object, 'values')];
  for (let i = 0; i < rows.length; i += 50) ledger.observe(rows.slice(i, i + 50));
  const made = listings.reduce(
    (n, spy) => n + spy.mock.calls.filter(([o]) => o !== null && typeof o === 'object' && Object.getOwnPropertyNames(o).length > 100).length,
    0,
  );
  for (const spy of listings) spy.mockRestore();
  expect(Object.keys(ledger.finish().watching)).toHaveLength(10_000);
  // 200 pages: at most a few listings of a large dictionary a page, never one a row (10,000).
  expect(made).toBeLessThanOrEqual(2 * 200);
});
