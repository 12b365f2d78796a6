// A virtual clock for the review tests: sleeps resolve in time order, concurrent sleeps overlap (unlike
// test/helpers/fakes fakeClock, whose sleeps add up), so a 2 s VOD answered three at a time costs 2 s, not 6.
import { loadConfig } from '../../lib/config';
import { type RunReport, runMonitor } from '../../lib/monitor';
import { FakeVodApi, fakeDeps, MemoryStore, RecordingNotifier } from './fakes';

export function virtualClock(startMs = Date.parse('2026-11-28T12:00:00Z')) {
  let t = startMs;
  const timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
  let seq = 0;
  const idle = () => new Promise<void>((r) => setImmediate(r));
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        timers.push({ at: t + Math.max(0, ms), seq: seq++, resolve });
      }),
    /** Drives virtual time until `p` settles. */
    async drive<T>(p: Promise<T>): Promise<T> {
      let done = false;
      let value: T | undefined;
      let error: unknown;
      let failed = false;
      p.then(
        (v) => {
          done = true;
          value = v;
        },
        (e) => {
          done = true;
          failed = true;
          error = e;
        },
      );
      for (;;) {
        for (let i = 0; i < 5; i++) await idle();
        if (done) break;
        if (timers.length === 0) throw new Error('deadlock: nothing scheduled and the run is not done');
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = timers.shift()!;
        t = Math.max(t, next.at);
        next.resolve();
      }
      if (failed) throw error;
      return value as T;
    },
  };
}

/** runMonitor (the real module) against the in-memory VOD API answering in `answerMs`, with a function timeout. */
export function slowMonitor(opts: { answerMs: number; timeoutMs: number; env?: Record<string, string> }) {
  const clock = virtualClock();
  const store = new MemoryStore();
  const notifier = new RecordingNotifier();
  const api = new FakeVodApi(clock.now);
  const starts: number[] = [];
  const ends: number[] = [];
  const inner = api.describeRefreshTasks.bind(api);
  api.describeRefreshTasks = async (p, timeoutMs = 5000) => {
    starts.push(clock.now());
    await clock.sleep(Math.min(opts.answerMs, timeoutMs));
    ends.push(clock.now());
    if (opts.answerMs > timeoutMs) {
      const { VodError } = await import('../../lib/vod/errors');
      throw new VodError({ code: 'RequestTimeout', message: 'no answer', retryable: true });
    }
    return inner(p);
  };
  const config = loadConfig({ DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=t', ...opts.env });
  const reports: RunReport[] = [];
  const run = async () => {
    const deps = fakeDeps({ config, api, store, notifier, now: clock.now, sleep: clock.sleep, random: 0.5, timeoutMs: opts.timeoutMs });
    const r = await clock.drive(runMonitor(deps, { dryRun: false, triggerTime: null }));
    reports.push(r);
    return { r, b: deps.budget };
  };
  return { clock, store, notifier, api, starts, ends, run, reports };
}

export const failedSent = (n: RecordingNotifier) => n.sent.flatMap((m) => m.keys).filter((k) => k.startsWith('failed:'));
