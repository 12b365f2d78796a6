import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { seededRandom } from '../../sim/random';
import { seedHistory } from '../../sim/vod/store';
import { shown, startWorld } from '../helpers/world';

const MIN = 60_000;
const HOUR = 60 * MIN;
type World = Awaited<ReturnType<typeof startWorld>>;

let world: World;
afterEach(async () => {
  await world?.close();
});

describe('the built handler over successive timer runs', () => {
  it('on a first run lists the last hour of failures URL by URL and counts the older ones', async () => {
    world = await startWorld();
    const now = world.clock.now();
    seedHistory(world.vod.store, { nowMs: now, count: 3000, random: seededRandom(5), failureRate: 0.05, unfinishedRate: 0 });
    const all = world.vod.store.all();
    const recent = all.filter((t) => t.Status === 'Failed' && Date.parse(t.CreationTime) >= now - HOUR + 60_000).map(shown);
    const older = all.filter((t) => t.Status === 'Failed' && Date.parse(t.CreationTime) < now - HOUR - 60_000).length;
    const report = await world.run();
    expect(report).toMatchObject({ status: 'ok', read: { status: 'complete' }, alerts: { pending: 0 } });
    expect(new Set(world.listed())).toEqual(new Set(recent));
    expect(world.listed()).toHaveLength(recent.length);
    const backlog = (report.failures as { backlog: number }).backlog;
    expect(backlog).toBeGreaterThanOrEqual(older);
    expect(world.texts()[0]).toContain(`${backlog} earlier failures`);
  });

  it('reports each failed URL of a 200-URL batch once, a late failure in it once, and its hung URL once as stuck', async () => {
    world = await startWorld();
    await world.run();
    world.clock.advance(5 * MIN);
    const urls = Array.from({ length: 200 }, (_, i) => `http://video.example.com/cms/${i}.mp4`);
    const { rows, taskIds } = world.vod.store.submit({ urls, kind: 'file', atMs: world.clock.now() - 60_000 });
    expect(taskIds).toHaveLength(1);
    for (const i of [3, 50, 120]) world.vod.store.updateRow(taskIds[0]!, urls[i]!, { Status: 'Failed', Description: 'Origin Timeout' });
    for (const r of rows.slice(150)) world.vod.store.updateRow(r.TaskId, r.ObjectPath, { Status: 'Complete' });
    world.vod.store.updateRow(taskIds[0]!, urls[199]!, { Status: 'Pending' });
    await world.run();
    expect(world.listed().sort()).toEqual([3, 50, 120].map((i) => shown(rows[i]!)).sort());
    for (const r of rows.slice(0, 150)) if (![3, 50, 120].includes(rows.indexOf(r))) world.vod.store.updateRow(r.TaskId, r.ObjectPath, { Status: 'Complete' });
    world.vod.store.updateRow(taskIds[0]!, urls[7]!, { Status: 'Failed', Description: 'Internal Error' });
    for (let i = 0; i < 8; i++) {
      world.clock.advance(5 * MIN);
      await world.run();
    }
    expect(world.listed().sort()).toEqual([3, 7, 50, 120].map((i) => shown(rows[i]!)).sort());
    expect(world.listed('stuck')).toEqual([shown(rows[199]!)]);
    expect(world.texts().join('\n')).toContain(`TaskId ${taskIds[0]}`);
  });

  it('reports every failure once across runs, catches a late failure, a stuck row and a recovery; a quiet run is one call', async () => {
    world = await startWorld();
    const t0 = world.clock.now();
    seedHistory(world.vod.store, { nowMs: t0, count: 300, random: seededRandom(9), failureRate: 0, unfinishedRate: 0 });
    await world.run();
    expect(world.ding.accepted).toHaveLength(0);
    world.clock.advance(5 * MIN);
    let now = world.clock.now();
    const f1 = world.vod.store.add({ ObjectPath: 'http://video.example.com/a.mp4', creationMs: now - 60_000, Status: 'Failed', Description: 'Origin Timeout' });
    const f2 = world.vod.store.add({
      ObjectPath: 'http://vod.example.cn/b.mp4',
      creationMs: now - 50_000,
      Status: 'Failed',
      Description: 'Origin Return StatusCode 5XX',
    });
    const late = world.vod.store.add({ ObjectPath: 'http://video.example.com/late.mp4', creationMs: now - 40_000, Status: 'Refreshing' });
    const hang = world.vod.store.add({ ObjectPath: 'http://video.example.com/hang/', ObjectType: 'directory', creationMs: now - 30_000, Status: 'Pending' });
    world.vod.resetStats();
    expect(await world.run()).toMatchObject({ failures: { new: 2 }, stuck: 0, apiCalls: 1 });
    const calls: number[] = [];
    for (let i = 0; i < 10; i++) {
      world.clock.advance(5 * MIN);
      world.vod.resetStats();
      await world.run();
      calls.push(world.vod.stats.requests);
    }
    expect(calls.every((c) => c === 1)).toBe(true);
    world.clock.advance(5 * MIN);
    now = world.clock.now();
    world.vod.store.update(late.TaskId, { Status: 'Failed', Description: 'Internal Error' });
    const again = world.vod.store.add({ ObjectPath: f1.ObjectPath, creationMs: now - 20_000, Status: 'Complete' });
    expect(await world.run()).toMatchObject({ failures: { new: 1 }, recovered: 1 });
    for (let i = 0; i < 3; i++) {
      world.clock.advance(5 * MIN);
      await world.run();
    }
    expect(world.listed().sort()).toEqual([f1, f2, late].map(shown).sort());
    expect(world.listed('stuck').sort()).toEqual([hang, late].map(shown).sort());
    expect(world.listed('recovered')).toEqual([shown(again)]);
  });

  it('a dry run sends nothing, writes no file and returns the message it would send', async () => {
    world = await startWorld();
    world.vod.store.add({ ObjectPath: 'http://video.example.com/x.mp4', creationMs: world.clock.now() - MIN, Status: 'Failed', Description: 'Origin Timeout' });
    const report = await world.run('{"dryRun": true}');
    expect(report).toMatchObject({ dryRun: true, failures: { new: 1 }, alerts: { messagesSent: 0, pending: 1 } });
    expect((report.preview as Array<{ text: string }>)[0]!.text).toContain('Origin Timeout');
    expect(world.ding.accepted).toHaveLength(0);
    expect(readdirSync(world.dir)).toEqual([]);
  });

  it('handles the same timer event twice only once', async () => {
    world = await startWorld();
    world.vod.store.add({ ObjectPath: 'http://video.example.com/x.mp4', creationMs: world.clock.now() - MIN, Status: 'Failed' });
    const at = '2026-11-28T04:00:00Z';
    expect((await world.run('', at)).status).toBe('ok');
    expect((await world.run('', at)).status).toBe('duplicate');
    expect(world.ding.accepted).toHaveLength(1);
  });

  it('a dry run leaves a corrupt state file in place; the next real run keeps it aside and says so, without a flood', async () => {
    world = await startWorld();
    const now = world.clock.now();
    for (let i = 0; i < 30; i++)
      world.vod.store.add({ ObjectPath: `http://video.example.com/old/${i}.mp4`, creationMs: now - 2 * 24 * HOUR + i * MIN, Status: 'Failed' });
    world.vod.store.add({ ObjectPath: 'http://video.example.com/new.mp4', creationMs: now - MIN, Status: 'Failed' });
    writeFileSync(world.stateFile, '{"version":2,"frontierMs":12');
    const dry = await world.run('{"dryRun": true}');
    expect(dry.state).toMatchObject({ reset: expect.stringMatching(/not JSON/) });
    expect(readdirSync(world.dir)).toEqual(['state.json']);
    await world.run();
    const kept = readdirSync(world.dir).filter((f) => f.includes('.bad-'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(path.join(world.dir, kept[0]!), 'utf8')).toBe('{"version":2,"frontierMs":12');
    expect(world.texts()[0]).toContain('The state file could not be read');
    expect(world.texts()[0]).toContain('30 earlier failures');
    expect(world.listed()).toHaveLength(1);
  });

  it('reads a state file written by v1 and reports nothing twice, delivering what it left waiting', async () => {
    world = await startWorld();
    const v1 = JSON.parse(readFileSync(path.join(__dirname, '../fixtures/state-v1.json'), 'utf8'));
    for (const [p, f] of Object.entries(v1.failedPaths as Record<string, { taskId: string; createdAtMs: number; description: string }>)) {
      world.vod.store.add({
        TaskId: f.taskId,
        ObjectPath: p,
        creationMs: world.clock.now() - 20 * MIN,
        Status: 'Failed',
        Description: f.description,
        ObjectType: p.endsWith('.m3u8') ? 'preload' : 'file',
      });
    }
    writeFileSync(
      world.stateFile,
      JSON.stringify({ ...v1, watermarkMs: world.clock.now() - 10 * MIN, lastRun: { ...v1.lastRun, atMs: world.clock.now() - 10 * MIN } }),
    );
    const r = await world.run();
    expect(r.state).toEqual({ migratedFrom: 1 });
    expect(world.listed()).toEqual(['700100004 http://media.example.net/v1/c.m3u8']);
    world.clock.advance(5 * MIN);
    await world.run();
    expect(world.ding.accepted).toHaveLength(1);
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
    const sts = world.vod.accounts.find((a) => a.accessKeyId.startsWith('STS.'))!;
    sts.state = 'suspended';
    for (let i = 0; i < 3; i++) {
      world.clock.advance(5 * MIN);
      expect(await world.run()).toMatchObject({ status: 'degraded', health: 'down' });
    }
    sts.state = 'ok';
    world.clock.advance(5 * MIN);
    await world.run();
    const texts = world.texts();
    expect(texts.filter((t) => t.includes('cannot read refresh tasks'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('reads refresh tasks again'))).toHaveLength(1);
    expect(texts[0]).toContain('top up the account');
  });

  it('says for how long it was blind when its last good run is too long ago', async () => {
    world = await startWorld();
    await world.run();
    world.clock.advance(47 * MIN);
    const f = world.fail('http://video.example.com/during-the-gap.mp4', 20 * MIN);
    await world.run();
    expect(world.texts()[0]).toContain('The monitor was blind for 47 min');
    expect(world.listed()).toEqual([f]);
  });

  it('answers {"status": true} from the saved state, changing nothing', async () => {
    world = await startWorld();
    await world.run();
    const before = readFileSync(world.stateFile, 'utf8');
    const s = await world.run('{"status": true}');
    expect(s).toMatchObject({ found: true, problem: null, pendingAlerts: 0, health: { status: 'ok' } });
    expect((s.runs as unknown[]).length).toBe(1);
    expect(readFileSync(world.stateFile, 'utf8')).toBe(before);
    expect(existsSync(`${world.stateFile}.lock`)).toBe(false);
  });

  it('a state location that cannot be written is loud, and the failures are still told: from the copy in /tmp, labelled', async () => {
    world = await startWorld();
    await world.run();
    const blocker = path.join(world.dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    world.env.STATE_FILE = path.join(blocker, 'state.json');
    world.clock.advance(5 * 60_000);
    const failed = world.fail('http://video.example.com/while/unwritable.mp4');
    const r = await world.run();
    expect(r).toMatchObject({
      status: 'degraded',
      state: { savedWhereItBelongs: false, problems: expect.arrayContaining([expect.stringMatching(/ENOTDIR/)]) },
    });
    expect(world.listed()).toEqual([failed]);
    const text = world.texts().at(-1)!;
    expect(text).toContain('repeats are possible');
    expect(text).toMatch(/cannot (read|lock|save) its state at .*not-a-dir.*a file stands where a folder/);
    const line = world.sink.records().find((x) => x.event === 'state-io')!;
    expect(line.msg).toMatch(/cannot be used where it belongs/);
    // The next run (same instance) goes on from its copy: nothing told twice, the outage not told again.
    world.clock.advance(5 * 60_000);
    await world.run();
    expect(world.listed()).toEqual([failed]);
    expect(world.texts().filter((t) => /cannot (read|lock|save) its state/.test(t))).toHaveLength(1);
  });
});
