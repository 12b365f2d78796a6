// What a run starts from (lib/monitor/load.ts, lib/monitor/outbox.ts withoutTold): an alert whose key the ledger
// already holds as delivered (a ledger saved after the head that queued it) is not sent again.
import fc from 'fast-check';
import { withoutTold } from '../../lib/monitor/outbox';
import { emptyState } from '../../lib/state/schema';

const T0 = Date.parse('2026-12-03T10:00:00Z');
const notice = (key: string) => ({ event: { kind: 'notice' as const, key, code: 'c', message: 'm' }, queuedAtMs: T0, uncertain: 0, refusals: 0 });
const keys = fc.uniqueArray(fc.constantFrom('n:1', 'n:2', 'n:3', 'failed:1/a', '__proto__', 'constructor'), { maxLength: 6 });

describe('withoutTold', () => {
  it('keeps exactly the waiting alerts not yet told, in their order, and the state itself when there is none', () => {
    fc.assert(
      fc.property(keys, keys, (queued, told) => {
        const reported: Record<string, number> = Object.create(null);
        for (const k of told) reported[k] = T0 + 1;
        const state = { ...emptyState(T0), outbox: queued.map(notice), reported };
        const left = withoutTold(state);
        expect(left.outbox.map((o) => o.event.key)).toEqual(queued.filter((k) => !told.includes(k)));
        if (queued.every((k) => !told.includes(k))) expect(left).toBe(state);
      }),
    );
  });
});
