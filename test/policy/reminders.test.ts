import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_ROBOT } from '../../sim/dingtalk/server';
import { startWorld } from '../helpers/world';

// The timeline of docs/alerts.md, "Reminders": the interval begins when on-call was told (the failure's alert
// delivered), not at the row's creation, and not while the monitor re-submits the URL itself.

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

async function withReminders(every: string, env: Record<string, string> = {}) {
  world = await startWorld({ env });
  const file = path.join(world.dir, 'alerting.yaml');
  writeFileSync(
    file,
    [
      'receivers:',
      '  - name: oncall',
      '    dingtalk:',
      '      webhook: ${ONCALL_WEBHOOK}',
      '      secret: ${ONCALL_SECRET}',
      '      keywords: [VOD]',
      'route:',
      '  receiver: oncall',
      'reminders:',
      `  every: ${every}`,
      '  max: 2',
    ].join('\n'),
  );
  Object.assign(world.env, { ALERTING_CONFIG: file, ONCALL_WEBHOOK: world.ding.webhook(), ONCALL_SECRET: DEFAULT_ROBOT.secret });
  await world.run();
}

/** Runs every five minutes for `minutes`. */
async function tick(minutes: number) {
  for (let t = 0; t < minutes; t += 5) {
    world.clock.advance(5 * MIN);
    await world.run();
  }
}

/** When each accepted message containing `text` arrived (the robot's clock, ms). */
const arrivals = (text: string) => world.ding.accepted.filter((m) => (m.body.markdown?.text ?? '').includes(text)).map((m) => m.atMs);

describe('reminders count from when on-call was told', () => {
  it('a URL that failed an hour after it was submitted is reminded one `every` after its alert, not five minutes later', async () => {
    await withReminders('1h');
    world.clock.advance(5 * MIN);
    const row = world.vod.store.add({ ObjectPath: 'http://video.example.com/late/index.m3u8', creationMs: world.clock.now() - MIN, Status: 'Refreshing' });
    await tick(55);
    world.vod.store.updateRow(row.TaskId, row.ObjectPath, { Status: 'Failed', Description: 'Origin Timeout' });
    await tick(5);
    const [told] = arrivals('Origin Timeout: 1 failed');
    expect(told).toBeDefined();
    await tick(150);
    const reminders = arrivals('Still failing');
    expect(reminders).toHaveLength(2);
    // The run an hour after the alert reminds (runs are five minutes apart; a reminder is told a few seconds into its
    // run, as the alert was): not the one before it, nor the one after.
    expect(reminders[0]! - told!).toBeGreaterThan(55 * MIN);
    expect(reminders[0]! - told!).toBeLessThan(65 * MIN);
    expect(reminders[1]! - reminders[0]!).toBeGreaterThan(55 * MIN);
    expect(reminders[1]! - reminders[0]!).toBeLessThan(65 * MIN);
  });

  it('with AUTO_REFRESH=on, no reminder while the re-submission is Refreshing; once it fails again, one `every` after that alert', async () => {
    await withReminders('30m', { AUTO_REFRESH: 'on', AUTO_REFRESH_DELAY_MINUTES: '0' });
    world.clock.advance(5 * MIN);
    // The re-submitted row stays Refreshing for 90 minutes, then fails.
    world.vod.nextFates.push({ afterMs: 90 * MIN, Status: 'Failed', Description: 'Origin Timeout' });
    world.fail('http://video.example.com/flaky.mp4', MIN);
    await world.run();
    const [resubmitted] = arrivals('you hear again only if');
    expect(world.vod.submissions).toHaveLength(1);
    expect(resubmitted).toBeDefined();
    await tick(85);
    expect(arrivals('Still failing')).toEqual([]);
    await tick(10);
    const [again] = arrivals('failed again after 1 automatic retry');
    expect(again).toBeDefined();
    await tick(45);
    const reminders = arrivals('Still failing');
    expect(reminders.length).toBeGreaterThanOrEqual(1);
    expect(reminders[0]! - again!).toBeGreaterThan(25 * MIN);
    expect(reminders[0]! - again!).toBeLessThan(35 * MIN);
  });
});
