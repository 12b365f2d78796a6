import fc from 'fast-check';
import { DeadlineError } from '../../lib/vod/errors';
import { createPacer, MIN_REQUEST_MS, PACING_MARGIN } from '../../lib/vod/pacer';
import { fakeClock } from '../helpers/fakes';

describe('the pacer', () => {
  it('starts nothing once the deadline is near, queued requests included, and caps each timeout to the time left', async () => {
    const clock = fakeClock(0);
    const pacer = createPacer({ concurrency: 2, ratePerSecond: 5, deadlineMs: 2000, requestTimeoutMs: 5000, now: clock.now, sleep: clock.sleep });
    const starts: Array<{ at: number; timeout: number }> = [];
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, () =>
        pacer.run(async (timeout) => {
          starts.push({ at: clock.now(), timeout });
          await clock.sleep(100);
        }),
      ),
    );
    expect(starts.length).toBeGreaterThan(3);
    expect(starts.length).toBeLessThan(30);
    for (const s of starts) {
      expect(s.at + MIN_REQUEST_MS).toBeLessThanOrEqual(2000);
      expect(s.at + s.timeout).toBeLessThanOrEqual(2000);
    }
    const refused = results.filter((r) => r.status === 'rejected');
    expect(refused).toHaveLength(30 - starts.length);
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(DeadlineError);
    expect(pacer.stats).toMatchObject({ started: starts.length, refused: refused.length });
  });

  it('spaces actual starts 5% wider than 1/rate even when timers fire late (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 5, maxLength: 40 }),
        async (rate, concurrency, lateness) => {
          const clock = fakeClock(0);
          let i = 0;
          // a loaded event loop: every sleep overshoots by a random amount
          const lateSleep = async (ms: number) => clock.sleep(ms + (lateness[i++ % lateness.length] ?? 0));
          const pacer = createPacer({ concurrency, ratePerSecond: rate, deadlineMs: 1e9, requestTimeoutMs: 1000, now: clock.now, sleep: lateSleep });
          const starts: number[] = [];
          await Promise.all(lateness.map(() => pacer.run(async () => void starts.push(clock.now()))));
          const gap = Math.ceil((1000 / rate) * PACING_MARGIN);
          for (let k = 1; k < starts.length; k++) expect(starts[k]! - starts[k - 1]!).toBeGreaterThanOrEqual(gap);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('runs up to its concurrency at once, never more (real timers: requests overlap in time)', async () => {
    const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
    const pacer = createPacer({ concurrency: 3, ratePerSecond: 1000, deadlineMs: Date.now() + 60_000, requestTimeoutMs: 1000, now: Date.now, sleep });
    let inFlight = 0;
    let max = 0;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        pacer.run(async () => {
          max = Math.max(max, ++inFlight);
          await sleep(30);
          inFlight--;
        }),
      ),
    );
    expect(max).toBe(3);
  });

  it('halves its rate after Throttling, at most once a second, and says so', () => {
    const clock = fakeClock(0);
    const pacer = createPacer({ concurrency: 1, ratePerSecond: 8, deadlineMs: 1e9, requestTimeoutMs: 1000, now: clock.now, sleep: clock.sleep });
    pacer.slowDown();
    pacer.slowDown();
    expect(pacer.stats).toMatchObject({ ratePerSecond: 4, slowDowns: 1 });
    clock.advance(1000);
    pacer.slowDown();
    expect(pacer.stats.ratePerSecond).toBe(2);
  });
});
