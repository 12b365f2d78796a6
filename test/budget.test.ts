import fc from 'fast-check';
import { budget, RETURN_MARGIN_MS } from '../lib/budget';
import { CADENCES } from '../lib/config';

const S = 1000;
const MIN = 60_000;

describe('budget: every deadline of a run, from the function timeout and the cadence', () => {
  it.each([
    // timeout, cadence, hard stop (the run started at 0): the run ends before the next tick, with a quarter of the
    // cadence to spare, and before Function Compute's timeout, whichever comes first
    [120 * S, 5 * MIN, 118 * S],
    [120 * S, 1 * MIN, 43 * S],
    [120 * S, 2 * MIN, 88 * S],
    [30 * S, 1 * MIN, 28 * S],
    [600 * S, 15 * MIN, 598 * S],
    [900 * S, 15 * MIN, 673 * S],
    [120 * S, Number.POSITIVE_INFINITY, 118 * S],
  ])('timeout %d ms, cadence %d ms: the run is over by %d ms', (timeout, cadence, hardStop) => {
    expect(budget(0, timeout, 5000, cadence).hardStopMs).toBe(hardStop);
  });

  it('at the 1-minute cadence still leaves two alert timeouts for delivery and stops reading first', () => {
    expect(budget(0, 120 * S, 5000, MIN)).toEqual({ startedMs: 0, readUntilMs: 29_000, deliverUntilMs: 41_500, hardStopMs: 43_000, lockTtlMs: 150_000 });
  });

  it('a run outside the timer (no cadence) keeps the deadlines of the timeout alone', () => {
    expect(budget(1000, 120 * S, 5000)).toEqual(budget(1000, 120 * S, 5000, Number.POSITIVE_INFINITY));
  });

  it('orders the deadlines and ends within the timeout and three quarters of the cadence, for every cadence (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 42 }),
        fc.integer({ min: 10 * S, max: 900 * S }),
        fc.integer({ min: 200, max: 30_000 }),
        fc.constantFrom(...CADENCES),
        (started, timeout, alertTimeout, every) => {
          const b = budget(started, timeout, alertTimeout, every * MIN);
          expect(started).toBeLessThanOrEqual(b.readUntilMs);
          expect(b.readUntilMs).toBeLessThanOrEqual(b.deliverUntilMs);
          expect(b.deliverUntilMs).toBeLessThan(b.hardStopMs);
          expect(b.hardStopMs + RETURN_MARGIN_MS).toBeLessThanOrEqual(started + Math.min(timeout, 0.75 * every * MIN));
          // the lock outlives anything Function Compute lets the process do, whatever the cadence
          expect(b.lockTtlMs).toBeGreaterThan(timeout);
        },
      ),
    );
  });
});
