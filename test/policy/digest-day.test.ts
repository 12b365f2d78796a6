import { loadConfig } from '../../lib/config';
import { type RunReport, runMonitor } from '../../lib/monitor';
import type { RenderedMessage } from '../../lib/notify/render';
import type { AlertingPlan } from '../../lib/policy/load';
import type { RefreshWriteApi } from '../../lib/vod/client';
import { VodError } from '../../lib/vod/errors';
import { FakeVodApi, fakeClock, fakeDeps, MemoryStore, RecordingNotifier } from '../helpers/fakes';

// A simulated day against the monitor's own pipeline (runMonitor over in-memory fakes, a virtual clock, one run
// every five minutes), with a known script of failures, a mute, automatic re-submissions and their outcomes, runs
// that do not count (dry, duplicated, skipped) and two blind spells. Every number of the day's digest is compared
// with the script.

const MIN = 60_000;
const at = (day: number, hhmm: string) => Date.parse(`2026-11-${String(27 + day).padStart(2, '0')}T${hhmm}:00+08:00`);
const FIVE_XX = 'Origin Return StatusCode 5XX';

const config = loadConfig({
  DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=t',
  AUTO_REFRESH: 'on',
  AUTO_REFRESH_DELAY_MINUTES: '0',
  AUTO_REFRESH_DESCRIPTIONS: FIVE_XX,
  BLIND_AFTER_MINUTES: '15',
});
const plan: AlertingPlan = {
  receivers: new Map([['oncall', { name: 'oncall', alert: config.alert }]]),
  routes: [],
  defaultReceiver: 'oncall',
  reminders: null,
  mutes: [{ name: 'night', match: { domain: ['img.example.cn'] }, reason: 'origin move', untilMs: at(2, '02:00'), weekly: null }],
  digest: { atMin: 9 * 60 + 30, receivers: ['oncall'] },
  source: 'alerting.yaml',
};

/** The refresh calls, as the API makes them: each submission becomes a Refreshing row that ends ten minutes later. */
class FakeWriter implements RefreshWriteApi {
  readonly submitted: Array<{ taskId: string; url: string; atMs: number }> = [];
  constructor(
    private readonly api: FakeVodApi,
    private readonly now: () => number,
  ) {}
  async call(action: string, params: Record<string, string>): Promise<Record<string, unknown>> {
    if (action === 'DescribeVodRefreshQuota')
      return { UrlQuota: 10_000, UrlRemain: 10_000, DirQuota: 100, DirRemain: 100, PreloadQuota: 10_000, PreloadRemain: 10_000 };
    const taskId = String(900_000_000 + this.submitted.length);
    for (const url of params.ObjectPath!.split('\n')) {
      this.api.add({ TaskId: taskId, ObjectPath: url, createdMs: this.now(), Status: 'Refreshing' });
      this.submitted.push({ taskId, url, atMs: this.now() });
    }
    return { RefreshTaskId: taskId };
  }
}

/** What the script makes happen at a time (Asia/Shanghai, day 1 or 2): failures, by URL and Description. */
const SCRIPT: Array<[number, string, string, string]> = [
  [1, '11:00', 'http://video.example.com/a.mp4', 'Origin Timeout'],
  [1, '12:00', 'http://video.example.com/b.mp4', 'Origin Timeout'],
  [1, '14:00', 'http://video.example.com/r1.mp4', FIVE_XX],
  [1, '15:00', 'http://video.example.com/a.mp4', 'Origin Timeout'],
  [1, '17:00', 'http://video.example.com/r2.mp4', FIVE_XX],
  [1, '18:00', 'http://video.example.com/r3.mp4', FIVE_XX],
  [1, '20:00', 'http://video.example.com/c.mp4', 'Origin Timeout'],
  [1, '23:00', 'http://img.example.cn/m1.mp4', 'Origin Timeout'],
  [2, '00:30', 'http://img.example.cn/m2.mp4', 'Origin Timeout'],
  [2, '01:30', 'http://img.example.cn/m3.mp4', 'Origin Timeout'],
  [2, '03:00', 'http://img.example.cn/m4.mp4', 'Origin Timeout'],
];
/** Re-submissions of these complete; the others fail again. */
const RECOVER = new Set(['http://video.example.com/r1.mp4', 'http://video.example.com/r2.mp4']);
/** No run at all (the timer stopped): a gap of 45 min between the good runs of 12:55 and 13:40. */
const NO_RUN = [at(1, '13:00'), at(1, '13:35')];
/** The API refuses every call: the runs of 16:00 to 16:10 are not good, a gap of 20 min from 15:55 to 16:15. */
const API_DOWN = [at(1, '16:00'), at(1, '16:10')];

function simulateDay(alerting: AlertingPlan = plan) {
  const clock = fakeClock(at(1, '09:00'));
  const api = new FakeVodApi(clock.now);
  const writer = new FakeWriter(api, clock.now);
  const store = new MemoryStore();
  const notifier = new RecordingNotifier();
  const inner = api.describeRefreshTasks.bind(api);
  let down = false;
  api.describeRefreshTasks = async (p) => {
    if (down) throw new VodError({ code: 'OperationDenied.Suspended', message: 'Your account is suspended.', retryable: false });
    return inner(p);
  };
  const reports: Array<{ atMs: number; report: RunReport; sent: RenderedMessage[] }> = [];
  const run = async (options: { dryRun?: boolean; triggerTime?: string | null } = {}) => {
    const before = notifier.sent.length;
    const deps = { ...fakeDeps({ config, api, store, notifier, now: clock.now, sleep: clock.sleep, alerting }), writer };
    const report = await runMonitor(deps, { dryRun: options.dryRun ?? false, triggerTime: options.triggerTime ?? null });
    reports.push({ atMs: clock.now(), report, sent: notifier.sent.slice(before) });
    return report;
  };
  return { clock, api, writer, store, notifier, reports, run, setDown: (d: boolean) => (down = d) };
}

const digests = (sent: readonly RenderedMessage[]) => sent.filter((m) => m.keys.some((k) => k.startsWith('digest:')));

describe('the daily digest, against a simulated day', () => {
  it('states its period exactly and counts exactly what happened in it', async () => {
    const day = simulateDay();
    const { clock, api } = day;
    const end = at(2, '09:40');
    let tick = 0;
    while (clock.now() <= end) {
      const now = clock.now();
      for (const [d, hhmm, url, description] of SCRIPT)
        if (at(d, hhmm) === now) api.add({ ObjectPath: url, createdMs: now - MIN, Status: 'Failed', Description: description });
      for (const s of day.writer.submitted)
        if (s.atMs + 10 * MIN <= now && api.rows.find((r) => r.TaskId === s.taskId && r.ObjectPath === s.url)!.Status === 'Refreshing')
          api.set(s.taskId, s.url, RECOVER.has(s.url) ? { Status: 'Complete' } : { Status: 'Failed', Description: FIVE_XX });
      day.setDown(now >= API_DOWN[0]! && now <= API_DOWN[1]!);
      if (!(now >= NO_RUN[0]! && now <= NO_RUN[1]!)) {
        const trigger = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
        if (tick === 40) day.store.heldBy = { host: 'other', pid: 1, acquiredAtMs: now, expiresAtMs: now + MIN };
        await day.run({ triggerTime: trigger });
        day.store.heldBy = null;
        // Runs that must not count: a dry run, and the same timer event delivered twice.
        if (tick % 50 === 7) await day.run({ dryRun: true });
        if (tick % 50 === 9) await day.run({ triggerTime: trigger });
      }
      tick++;
      clock.set(now + 5 * MIN);
    }

    const withDigest = day.reports.filter((r) => digests(r.sent).length > 0);
    expect(withDigest).toHaveLength(2);
    const [first, second] = withDigest.map((r) => {
      const e = digests(r.sent)[0]!;
      return { run: r, text: e.text };
    });
    // Which runs count: those that held the lock and were not dry, duplicated or skipped, ending inside the period.
    const real = (r: (typeof day.reports)[number]) => !r.report.dryRun && (r.report.status === 'ok' || r.report.status === 'degraded');
    const i1 = day.reports.indexOf(first!.run);
    const i2 = day.reports.indexOf(second!.run);
    const inPeriod = day.reports.slice(i1, i2).filter(real);
    const downRuns = inPeriod.filter((r) => r.report.read.status === 'down');
    expect(day.reports.some((r) => r.report.status === 'skipped')).toBe(true);
    expect(day.reports.some((r) => r.report.status === 'duplicate')).toBe(true);
    expect(day.reports.some((r) => r.report.dryRun)).toBe(true);
    expect(downRuns).toHaveLength(3);

    // The first digest: half an hour after the monitor started watching, and says so; the second begins where it ended.
    const period = (t: string) => /\*\*Daily digest\*\* from (.+?) UTC\+8 to (.+?) UTC\+8 \((.+?)\)\./.exec(t)!.slice(1);
    expect(period(first!.text)).toEqual(['2026-11-28 09:00:00', expect.stringMatching(/^2026-11-28 09:30:0\d$/), '30 min']);
    expect(period(second!.text)).toEqual([period(first!.text)[1], expect.stringMatching(/^2026-11-29 09:30:0\d$/), '24 h']);
    expect(first!.text).toContain('The monitor ran 6 time(s) in this period, 6 of them good');
    expect(first!.text).toContain('It has been watching since 2026-11-28 09:00:00 UTC+8 (30 min). It ran without a gap since then');
    expect(first!.text).not.toContain('all day');

    // The second: from the end of the first period to its own time, every count as scripted.
    const text = second!.text;
    expect(text).toContain('Failed URLs for this receiver: 12: 9 reported one by one, 3 held back by mutes.');
    expect(text).toContain('- video.example.com · Origin Timeout: 4');
    expect(text).toContain('- img.example.cn · Origin Timeout: 4');
    expect(text).toContain(`- video.example.com · ${FIVE_XX}: 4`);
    expect(text).toContain('Automatic retries: 3 re-submitted, 2 recovered, 1 failed again.');
    expect(text).toContain('Failed more than once:\n- http://video.example.com/a.mp4 · 2 times\n- http://video.example.com/r3.mp4 · 2 times\n\n');
    expect(text).not.toContain('once\n');
    expect(text).toContain('Still open now: 8 failed URL(s) not refreshed successfully since, 0 stuck.');
    expect(text).toContain(`The monitor ran ${inPeriod.length} time(s) in this period, ${inPeriod.length - 3} of them good`);
    expect(text).toContain(
      'It was blind for 1 h 5 min: 2 gap(s) of more than 15 min between good runs, the longest from 2026-11-28 12:55:00 UTC+8 to 2026-11-28 13:40:00 UTC+8.',
    );
    expect(text).not.toContain('all day');

    // The mute's summary names the end the file set, not the run that noticed it.
    const summary = day.notifier.sent.find((m) => m.text.includes('Muted by night'))!;
    expect(summary.text).toContain('3 alert(s) held back, from 2026-11-28 23:00:00 UTC+8 to the end of the mute at 2026-11-29 02:00:00 UTC+8');
    expect(summary.text).toContain('`npx vod-refresh-monitor tasks --status Failed --type file --domain img.example.cn --since 2026-11-28T22:59:00+08:00`');
  });
});

describe('the runs a digest counts', () => {
  it('are the runs that ended in its period: not the one that dies after saving its outbox (its retry by Function Compute counts), nor the one sending the digest', async () => {
    const day = simulateDay();
    const trigger = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await day.run({ triggerTime: trigger(day.clock.now()) });
    day.clock.set(at(1, '09:05'));
    day.api.add({ ObjectPath: 'http://video.example.com/r.mp4', createdMs: day.clock.now() - MIN, Status: 'Failed', Description: FIVE_XX });
    // The instance dies during its re-submission, after the outbox was saved; Function Compute retries the same event.
    const call = day.writer.call.bind(day.writer);
    day.writer.call = async () => {
      throw new Error('the instance was stopped');
    };
    await expect(day.run({ triggerTime: trigger(day.clock.now()) })).rejects.toThrow('stopped');
    day.writer.call = call;
    await day.run({ triggerTime: trigger(day.clock.now()) });
    for (let i = 2; i <= 6; i++) {
      day.clock.set(at(1, '09:05') + (i - 1) * 5 * MIN);
      await day.run({ triggerTime: trigger(day.clock.now()) });
    }
    const text = digests(day.notifier.sent)[0]!.text;
    // 09:00, 09:05 (the retry), 09:10, 09:15, 09:20, 09:25: the run of 09:30 sends the digest and counts in the next.
    expect(text).toContain('The monitor ran 6 time(s) in this period, 6 of them good');
  });
});

describe('one clock for the alerting file', () => {
  it("digest.at and a mute's until follow the API's clock (its Date header), 10 min ahead of the function's here", async () => {
    const video = { name: 'video', match: { domain: ['video.example.com'] }, reason: null, untilMs: at(1, '09:15'), weekly: null };
    const day = simulateDay({ ...plan, mutes: [video] });
    const inner = day.api.describeRefreshTasks.bind(day.api);
    day.api.describeRefreshTasks = async (p) => ({ ...(await inner(p)), serverDateMs: Math.floor((day.clock.now() + 10 * MIN) / 1000) * 1000 });
    for (let i = 0; i < 6; i++) {
      // 09:05 by the function's clock is 09:15 by the API's: the mute has ended.
      if (i === 1)
        day.api.add({ ObjectPath: 'http://video.example.com/x.mp4', createdMs: day.clock.now() + 9 * MIN, Status: 'Failed', Description: 'Origin Timeout' });
      await day.run();
      day.clock.set(day.clock.now() + 5 * MIN);
    }
    const sentAt = day.reports.filter((r) => digests(r.sent).length > 0).map((r) => r.atMs);
    // The run at 09:20 by the function's clock (09:30 by the API's) sends the digest of 09:30.
    expect(sentAt.map((ms) => new Date(ms + 8 * 3600_000).toISOString().slice(11, 16))).toEqual(['09:20']);
    expect(digests(day.notifier.sent)[0]!.text).toMatch(/\*\*Daily digest\*\* from 2026-11-28 09:10:0\d UTC\+8 to 2026-11-28 09:30:0\d UTC\+8/);
    expect(day.notifier.sent.some((m) => m.keys.some((k) => k.startsWith('failed:')))).toBe(true);
  });
});
