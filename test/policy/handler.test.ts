import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DingTalkSim } from '../../sim/dingtalk/server';
import { startTwoTeams } from '../helpers/two-teams';
import { listedRows, NOON_IN_SHANGHAI_MS, startWorld } from '../helpers/world';

const MIN = 60_000;
const HOUR = 60 * MIN;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
let robotB: DingTalkSim;
afterEach(async () => {
  await world?.close();
  await robotB?.close();
});

/** Two robots: A (the world's, signed) for video.example.com and the rest, B (a second robot host) for *.example.cn. */
async function twoRobots(extra = '') {
  ({ world, robotB } = await startTwoTeams({ startMs: NOON_IN_SHANGHAI_MS, extra, aMobiles: ['13800000001'] }));
}
const textsOf = (sim: DingTalkSim) => sim.accepted.map((m) => m.body.markdown?.text ?? '');

describe('routing alerts to several robots (ALERTING_CONFIG)', () => {
  it("sends domain A's failures to robot A only and domain B's to robot B only; a robot that is down holds back only its own", async () => {
    await twoRobots();
    world.clock.advance(5 * MIN);
    const a = world.fail('http://video.example.com/a.mp4');
    const b = world.fail('http://img.example.cn/b.mp4');
    robotB.down = true;
    const r1 = await world.run(undefined, undefined, 10);
    expect(listedRows(textsOf(world.ding), 'failed')).toEqual([a]);
    expect(robotB.accepted).toHaveLength(0);
    expect(r1).toMatchObject({ alerts: { pending: 1, receivers: { 'team-a': { sent: 1 }, 'team-b': { sent: 0 } } } });
    robotB.down = false;
    world.clock.advance(5 * MIN);
    await world.run();
    expect(listedRows(textsOf(robotB), 'failed')).toEqual([b]);
    expect(listedRows(textsOf(world.ding), 'failed')).toEqual([a]);
    expect(world.ding.accepted[0]!.body.at?.atMobiles).toEqual(['13800000001']);
  });

  it("a muted domain's failures arrive as a count when the window ends", async () => {
    const until = new Date(NOON_IN_SHANGHAI_MS + 20 * MIN).toISOString();
    await twoRobots(`mutes:\n  - name: cn-migration\n    match: { domain: ['*.example.cn'] }\n    until: '${until}'\n    reason: origin migration`);
    for (let i = 0; i < 3; i++) {
      world.clock.advance(5 * MIN);
      world.fail(`http://img.example.cn/m${i}.mp4`);
      await world.run();
    }
    expect(robotB.accepted).toHaveLength(0);
    world.clock.advance(10 * MIN);
    await world.run();
    const summary = textsOf(robotB).join('\n');
    expect(summary).toContain('Muted by cn-migration');
    expect(summary).toContain('3 alert(s) held back');
    expect(summary).toContain('origin migration');
    expect(listedRows(textsOf(robotB), 'failed')).toEqual([]);
  });

  it("counts a muted window's failures in the day's digest all the same", async () => {
    const until = new Date(NOON_IN_SHANGHAI_MS + 12 * MIN).toISOString();
    const digestAt = new Date(NOON_IN_SHANGHAI_MS + 8 * HOUR + 22 * MIN);
    const at = `${String(digestAt.getUTCHours()).padStart(2, '0')}:${String(digestAt.getUTCMinutes()).padStart(2, '0')}`;
    await twoRobots(`mutes:\n  - name: cn-migration\n    match: { domain: ['*.example.cn'] }\n    until: '${until}'\ndigest:\n  at: '${at}'`);
    world.clock.advance(5 * MIN);
    world.fail('http://img.example.cn/m1.mp4');
    world.fail('http://img.example.cn/m2.mp4');
    await world.run();
    for (let i = 0; i < 4; i++) {
      world.clock.advance(5 * MIN);
      await world.run();
    }
    const digest = textsOf(robotB).find((t) => t.includes('Daily digest'));
    expect(digest).toContain('img.example.cn · Origin Timeout: 2');
    expect(listedRows(textsOf(robotB), 'failed')).toEqual([]);
  });

  it('a failure left unresolved is reminded on the interval until its cap, and not after it recovers', async () => {
    await twoRobots('reminders:\n  every: 1h\n  max: 2');
    world.clock.advance(5 * MIN);
    const f = world.vod.store.add({
      ObjectPath: 'http://video.example.com/still-broken.mp4',
      creationMs: world.clock.now() - MIN,
      Status: 'Failed',
      Description: 'Origin Timeout',
    });
    await world.run();
    for (let i = 0; i < 36; i++) {
      world.clock.advance(5 * MIN);
      await world.run();
    }
    const reminders = textsOf(world.ding).filter((t) => t.includes('Still failing'));
    expect(reminders).toHaveLength(2);
    expect(reminders[0]).toContain('reminder 1 of 2');
    expect(reminders[1]).toContain('reminder 2 of 2');
    expect(reminders[0]).toContain(`TaskId ${f.TaskId}`);
  });

  it('stops reminding when the URL is refreshed successfully again', async () => {
    await twoRobots('reminders:\n  every: 1h\n  max: 5');
    world.clock.advance(5 * MIN);
    const f = world.vod.store.add({
      ObjectPath: 'http://video.example.com/fixed.mp4',
      creationMs: world.clock.now() - MIN,
      Status: 'Failed',
      Description: 'Origin Timeout',
    });
    await world.run();
    world.clock.advance(70 * MIN);
    await world.run();
    world.vod.store.add({ ObjectPath: f.ObjectPath, creationMs: world.clock.now() - MIN, Status: 'Complete' });
    for (let i = 0; i < 30; i++) {
      world.clock.advance(5 * MIN);
      await world.run();
    }
    expect(textsOf(world.ding).filter((t) => t.includes('Still failing'))).toHaveLength(1);
    expect(textsOf(world.ding).some((t) => t.includes('Recovered: 1'))).toBe(true);
  });

  it('sends each receiver a daily digest at its time, once', async () => {
    const now = new Date(NOON_IN_SHANGHAI_MS + 8 * HOUR + 12 * MIN);
    const at = `${String(now.getUTCHours()).padStart(2, '0')}:${String(now.getUTCMinutes()).padStart(2, '0')}`;
    await twoRobots(`digest:\n  at: '${at}'`);
    world.clock.advance(5 * MIN);
    world.fail('http://video.example.com/d1.mp4');
    world.fail('http://img.example.cn/d2.mp4');
    await world.run();
    expect(textsOf(world.ding).some((t) => t.includes('Daily digest'))).toBe(false);
    world.clock.advance(10 * MIN);
    await world.run();
    world.clock.advance(5 * MIN);
    await world.run();
    const a = textsOf(world.ding).filter((t) => t.includes('Daily digest'));
    const b = textsOf(robotB).filter((t) => t.includes('Daily digest'));
    expect([a.length, b.length]).toEqual([1, 1]);
    expect(a[0]).toContain('video.example.com · Origin Timeout: 1');
    expect(b[0]).toContain('img.example.cn · Origin Timeout: 1');
    expect(a[0]).toContain('The whole account, last 24 h');
    expect(a[0]).toContain('No digest tomorrow means the monitor is down');
  });

  it('a broken alerting file does not silence the monitor: the environment robot takes the alerts, and says why', async () => {
    world = await startWorld({ startMs: NOON_IN_SHANGHAI_MS });
    const file = path.join(world.dir, 'alerting.yaml');
    writeFileSync(
      file,
      'receivers:\n  - name: a\n    dingtalk: { webhook: "https://oapi.dingtalk.com/robot/send?access_token=leaked" }\nroute: { receiver: a }',
    );
    world.env.ALERTING_CONFIG = file;
    await world.run();
    world.clock.advance(5 * MIN);
    const f = world.fail('http://video.example.com/x.mp4');
    await world.run();
    expect(world.listed()).toEqual([f]);
    expect(world.texts().join('\n')).toContain('must be a ${VARIABLE} reference');
    for (let i = 0; i < 3; i++) {
      world.clock.advance(5 * MIN);
      await world.run();
    }
    // Said once a day, not every run.
    expect(world.texts().filter((t) => t.includes('must be a ${VARIABLE} reference'))).toHaveLength(1);
  });
});
