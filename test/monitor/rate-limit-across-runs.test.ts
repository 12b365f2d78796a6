import { loadConfig } from '../../lib/config';
import { runMonitor } from '../../lib/monitor';
import type { AlertingPlan } from '../../lib/policy/load';
import { type Call, FakeVodApi, fakeClock, fakeDeps, keyOf, MemoryStore, RecordingNotifier } from '../helpers/fakes';

const MIN = 60_000;
const config = loadConfig({ DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=t' });

/** Two robots, each with DingTalk's 20 a minute: failures on b.example.com go to `b`, the rest to `a`. */
const plan: AlertingPlan = {
  receivers: new Map(['a', 'b'].map((name) => [name, { name, alert: config.alert }])),
  routes: [{ match: { domain: ['b.example.com'] }, receiver: 'b' }],
  defaultReceiver: 'a',
  reminders: null,
  mutes: [],
  digest: null,
  source: 'test',
};

/** The monitor with one recording robot per receiver; each remembers when it was sent to. */
function setup() {
  const clock = fakeClock();
  const calls: Call[] = [];
  const store = new MemoryStore(calls);
  const api = new FakeVodApi(clock.now);
  const sends: Record<string, number[]> = { a: [], b: [] };
  const robot = (name: string) => new RecordingNotifier(calls, 20_000, async () => void sends[name]!.push(clock.now()));
  const robots: Record<string, RecordingNotifier> = { a: robot('a'), b: robot('b') };
  const deps = () => fakeDeps({ config, api, store, alerting: plan, notifierOf: (r) => robots[r.name]!, now: clock.now, sleep: clock.sleep });
  const run = () => runMonitor(deps(), { dryRun: false, triggerTime: null });
  const fail = (domain: string, i: number) =>
    api.add({ ObjectPath: `http://${domain}/${i}.mp4`, createdMs: clock.now() - 30_000, Status: 'Failed', Description: 'Origin Timeout' });
  return { clock, store, api, robots, sends, run, fail };
}

/** The most sends that fall in any one minute. */
const busiestMinute = (times: readonly number[]) => Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + MIN).length));
const delivered = (n: RecordingNotifier) => n.sent.flatMap((m) => m.keys).filter((k) => k.startsWith('failed:'));

describe("the robot's rate limit holds across runs (the state remembers recent sends per receiver)", () => {
  it('runs 2 s apart, each with a new failure: never more than 20 messages a minute to a robot, and nothing is lost', async () => {
    const w = setup();
    await w.run();
    w.clock.advance(5 * MIN);
    const rows = [];
    for (let i = 0; i < 30; i++) {
      rows.push(w.fail('a.example.com', i));
      const r = await w.run();
      if (i >= 20) expect(r.alerts.error).toMatchObject({ receiver: 'a', code: 'client-rate-limit' });
      w.clock.advance(2000);
    }
    expect(w.sends.a).toHaveLength(20);
    expect(busiestMinute(w.sends.a!)).toBeLessThanOrEqual(20);
    expect(w.store.state!.recentSends.a).toHaveLength(20);
    w.clock.advance(MIN);
    await w.run();
    expect(busiestMinute(w.sends.a!)).toBeLessThanOrEqual(20);
    expect(delivered(w.robots.a!).sort()).toEqual(rows.map((r) => `failed:${keyOf(r)}`).sort());
  });

  it('a robot that used its minute holds back only its own alerts: the other robot is sent to at once', async () => {
    const w = setup();
    await w.run();
    w.clock.advance(5 * MIN);
    for (let i = 0; i < 21; i++) {
      w.fail('a.example.com', i);
      await w.run();
      w.clock.advance(1000);
    }
    expect(w.sends.a).toHaveLength(20);
    const b = w.fail('b.example.com', 0);
    const r = await w.run();
    expect(delivered(w.robots.b!)).toEqual([`failed:${keyOf(b)}`]);
    expect(r.alerts.error).toMatchObject({ receiver: 'a', code: 'client-rate-limit' });
    expect(w.sends.a).toHaveLength(20);
  });
});
