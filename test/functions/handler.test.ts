import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { seededRandom } from '../../sim/random';
import { seedHistory } from '../../sim/vod/store';
import { startWorld } from '../helpers/world';

const MIN = 60_000;
const HOUR = 60 * MIN;
type World = Awaited<ReturnType<typeof startWorld>>;

let world: World;
afterEach(async () => {
  await world?.close();
});

const failedIds = (w: World, sinceMs = 0) => w.vod.store.all().filter((t) => t.Status === 'Failed' && Date.parse(t.CreationTime) >= sinceMs).map((t) => t.TaskId);

describe('the built handler over successive timer runs', () => {
  it('on a first run lists the last hour of failures and counts the older ones', async () => {
    world = await startWorld();
    const now = world.clock.now();
    seedHistory(world.vod.store, { nowMs: now, count: 600, random: seededRandom(5), failureRate: 0.05 });
    for (let i = 0; i < 4; i++) world.vod.store.add({ ObjectPath: `http://video.example.com/recent/${i}.mp4`, creationMs: now - (10 + i) * MIN, Status: 'Failed', Description: 'Origin Timeout' });
    const recent = failedIds(world, now - HOUR);
    const older = failedIds(world).filter((id) => !recent.includes(id));
    const report = await world.run();
    expect(report).toMatchObject({ status: 'ok', failures: { new: recent.length, backlog: older.length }, alerts: { messagesSent: 1, pending: 0 } });
    expect(report.tasksScanned).toBe(world.vod.store.size);
    expect(world.listedTaskIds().sort()).toEqual([...recent].sort());
    const text = world.ding.accepted[0]!.body.markdown!.text;
    expect(text).toContain(`${older.length} earlier failures`);
    expect(text).toContain('@13800000000');
    expect(world.ding.accepted[0]!.body.at?.atMobiles).toEqual(['13800000000']);
  });

  it('reports every failure exactly once across runs, catches a late failure, a stuck task and a recovery; a quiet run is one call', async () => {
    world = await startWorld();
    const t0 = world.clock.now();
    seedHistory(world.vod.store, { nowMs: t0, count: 300, random: seededRandom(9), failureRate: 0, unfinishedRate: 0 });
    await world.run();
    expect(world.ding.accepted).toHaveLength(0);

    // tick 1: two new failures, one task that will fail late, one that will hang
    world.clock.advance(5 * MIN);
    let now = world.clock.now();
    const f1 = world.vod.store.add({ ObjectPath: 'http://video.example.com/a.mp4', creationMs: now - 60_000, Status: 'Failed', Description: 'Origin Timeout' });
    const f2 = world.vod.store.add({ ObjectPath: 'http://vod.example.cn/b.mp4', creationMs: now - 50_000, Status: 'Failed', Description: 'Origin Return StatusCode 5XX' });
    const late = world.vod.store.add({ ObjectPath: 'http://video.example.com/late.mp4', creationMs: now - 40_000, Status: 'Refreshing', Process: '10%' });
    const hang = world.vod.store.add({ ObjectPath: 'http://video.example.com/hang/', ObjectType: 'directory', creationMs: now - 30_000, Status: 'Pending' });
    world.vod.resetStats();
    const r1 = await world.run();
    expect(r1).toMatchObject({ failures: { new: 2 }, stuck: 0, apiCalls: 1 });
    expect(world.listedTaskIds().sort()).toEqual([f1.TaskId, f2.TaskId].sort());

    // ticks 2..12: quiet runs, one API call each; the hung task becomes stuck after 30 minutes, once
    const calls: number[] = [];
    for (let i = 0; i < 10; i++) {
      world.clock.advance(5 * MIN);
      world.vod.resetStats();
      const r = await world.run();
      calls.push(world.vod.stats.requests);
      expect(r.apiCalls).toBe(world.vod.stats.requests);
    }
    expect(calls.every((c) => c === 1)).toBe(true);
    const stuckMsgs = world.ding.accepted.filter((m) => m.body.markdown!.text.includes('Stuck for more than 30 minutes'));
    expect(stuckMsgs).toHaveLength(1);
    expect(stuckMsgs[0]!.body.markdown!.text).toContain(`TaskId ${hang.TaskId}`);

    // the Refreshing task fails 55 minutes after it was created
    world.clock.advance(5 * MIN);
    now = world.clock.now();
    expect(now - Date.parse(late.CreationTime)).toBeGreaterThan(50 * MIN);
    world.vod.store.update(late.TaskId, { Status: 'Failed', Description: 'Internal Error' });
    // and a.mp4 is refreshed again and completes
    const again = world.vod.store.add({ ObjectPath: f1.ObjectPath, creationMs: now - 20_000, Status: 'Complete' });
    world.vod.resetStats();
    const r2 = await world.run();
    expect(r2).toMatchObject({ failures: { new: 1 }, recovered: 1, apiCalls: 1 });
    const last = world.ding.accepted.at(-1)!.body.markdown!.text;
    expect(last).toContain(`TaskId ${late.TaskId}`);
    expect(last).toContain('Recovered: 1');
    expect(last).toContain(`TaskId ${again.TaskId}`);

    // later runs repeat nothing
    const before = world.ding.accepted.length;
    for (let i = 0; i < 3; i++) {
      world.clock.advance(5 * MIN);
      await world.run();
    }
    expect(world.ding.accepted).toHaveLength(before);
    expect(world.listedTaskIds().sort()).toEqual([f1.TaskId, f2.TaskId, late.TaskId].sort());
    // both unfinished tasks passed 30 minutes; each was reported stuck once
    expect(world.sectionTaskIds('Stuck').sort()).toEqual([hang.TaskId, late.TaskId].sort());
    expect(world.sectionTaskIds('Recovered')).toEqual([again.TaskId]);
  });

  it('a dry run sends nothing, writes no state and returns the message it would send', async () => {
    world = await startWorld();
    world.vod.store.add({ ObjectPath: 'http://video.example.com/x.mp4', creationMs: world.clock.now() - MIN, Status: 'Failed', Description: 'Origin Timeout' });
    const report = await world.run('{"dryRun": true}');
    expect(report).toMatchObject({ dryRun: true, failures: { new: 1 }, alerts: { messagesSent: 0, pending: 1 } });
    expect((report.preview as Array<{ text: string }>)[0]!.text).toContain('Origin Timeout');
    expect(world.ding.accepted).toHaveLength(0);
    expect(existsSync(world.stateFile)).toBe(false);
  });

  it('handles the same timer event twice only once', async () => {
    world = await startWorld();
    world.vod.store.add({ ObjectPath: 'http://video.example.com/x.mp4', creationMs: world.clock.now() - MIN, Status: 'Failed' });
    const at = '2026-11-28T04:00:00Z';
    const r1 = await world.run('', at);
    const r2 = await world.run('', at);
    expect(r1.status).toBe('ok');
    expect(r2.status).toBe('duplicate');
    expect(world.ding.accepted).toHaveLength(1);
  });

  it('keeps a corrupt state file aside, says so clearly, and does not flood on-call', async () => {
    world = await startWorld();
    const now = world.clock.now();
    for (let i = 0; i < 30; i++) world.vod.store.add({ ObjectPath: `http://video.example.com/old/${i}.mp4`, creationMs: now - 2 * 24 * HOUR + i * MIN, Status: 'Failed' });
    world.vod.store.add({ ObjectPath: 'http://video.example.com/new.mp4', creationMs: now - MIN, Status: 'Failed' });
    writeFileSync(world.stateFile, '{"version":1,"watermarkMs":12');
    const report = await world.run();
    expect(report.stateError).toMatch(/not JSON/);
    const kept = readdirSync(world.dir).filter((f) => f.includes('.bad-'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(`${world.dir}/${kept[0]}`, 'utf8')).toBe('{"version":1,"watermarkMs":12');
    const text = world.ding.accepted[0]!.body.markdown!.text;
    expect(text).toContain('The state file could not be read');
    expect(text).toContain('30 earlier failures');
    expect(world.listedTaskIds()).toHaveLength(1);
    expect(world.sink.records().some((r) => r.event === 'state-refused' && r.level === 'error')).toBe(true);
  });

  it('refuses a future-version state file the same way', async () => {
    world = await startWorld();
    writeFileSync(world.stateFile, JSON.stringify({ version: 99 }));
    const report = await world.run();
    expect(report.stateError).toMatch(/version 99/);
  });

  it('logs at the configured level', async () => {
    world = await startWorld({ env: { LOG_LEVEL: 'warn' } });
    await world.run();
    expect(world.sink.records().filter((r) => r.level === 'info')).toEqual([]);
    world.vod.faults.queue.push({ kind: 'throttle' });
    world.clock.advance(MIN);
    await world.run();
    expect(world.sink.records().some((r) => r.level === 'warn' && r.event === 'vod-retry')).toBe(true);
  });

  it('fails with a clear error naming a bad variable', async () => {
    world = await startWorld({ env: { STUCK_AFTER_MINUTES: 'soon', DINGTALK_KEYWORD: 'VOD' } });
    const err = await world.run().catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/STUCK_AFTER_MINUTES: "soon" is not accepted; use a whole number from 1 to 1440/);
    expect((err as Error).message).toMatch(/DINGTALK_KEYWORD: unknown variable; did you mean DINGTALK_KEYWORDS\?/);
  });

  it('alerts once when the API cannot be read and once when it can again', async () => {
    world = await startWorld();
    await world.run();
    world.vod.accounts.find((a) => a.accessKeyId.startsWith('STS.'))!.state = 'suspended';
    for (let i = 0; i < 3; i++) {
      world.clock.advance(5 * MIN);
      const r = await world.run();
      expect(r).toMatchObject({ status: 'degraded', health: 'down' });
    }
    world.vod.accounts.find((a) => a.accessKeyId.startsWith('STS.'))!.state = 'ok';
    world.clock.advance(5 * MIN);
    await world.run();
    const texts = world.ding.accepted.map((m) => m.body.markdown!.text);
    expect(texts.filter((t) => t.includes('cannot read refresh tasks'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('reads refresh tasks again'))).toHaveLength(1);
    expect(texts[0]).toContain('OperationDenied.Suspended');
  });
});
