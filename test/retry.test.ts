import fc from 'fast-check';
import { backoffDelay, retry } from '../lib/retry';

function fakeTime() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

describe('retry', () => {
  it('retries retryable errors until success', async () => {
    const clock = fakeTime();
    let calls = 0;
    const out = await retry(
      async () => {
        if (++calls < 4) throw new Error('transient');
        return 'ok';
      },
      { baseMs: 100, capMs: 1000, maxAttempts: 10 },
      { ...clock, random: () => 0.5, deadlineMs: 1e9, isRetryable: () => true },
    );
    expect(out).toBe('ok');
    expect(calls).toBe(4);
    expect(clock.sleeps).toEqual([50, 100, 200]);
  });

  it('does not retry a permanent error', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error('permanent');
        },
        { baseMs: 1, capMs: 1, maxAttempts: 10 },
        { ...fakeTime(), random: () => 0, deadlineMs: 1e9, isRetryable: () => false },
      ),
    ).rejects.toThrow('permanent');
    expect(calls).toBe(1);
  });

  it('stops when the next wait would pass the deadline, and rethrows the last error', async () => {
    const clock = fakeTime();
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error(`fail ${calls}`);
        },
        { baseMs: 1000, capMs: 1000, maxAttempts: 100 },
        { ...clock, random: () => 0.99, deadlineMs: 3500, isRetryable: () => true },
      ),
    ).rejects.toThrow('fail 4');
    expect(clock.now()).toBeLessThanOrEqual(3500);
  });

  it('stops after maxAttempts', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error('x');
        },
        { baseMs: 1, capMs: 1, maxAttempts: 3 },
        { ...fakeTime(), random: () => 0, deadlineMs: 1e9, isRetryable: () => true },
      ),
    ).rejects.toThrow();
    expect(calls).toBe(3);
  });

  it('backoff stays within [0, min(cap, base*2^(n-1))) (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (base, cap, n, r) => {
          const d = backoffDelay({ baseMs: base, capMs: cap, maxAttempts: 50 }, n, () => r);
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThan(Math.max(1, Math.min(cap, base * 2 ** (n - 1))));
        },
      ),
    );
  });
});
