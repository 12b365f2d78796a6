import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startWorld, FC_CREDENTIALS } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

/** The invariant: every failed task listed at least once, at most `max` times; nothing else listed as failed. */
function expectDelivered(w: World, failed: string[], max = 1, allowMore: string[] = []) {
  const counts = new Map<string, number>();
  for (const id of w.listedTaskIds()) counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const id of failed) {
    expect({ id, times: counts.get(id) ?? 0 }).toEqual({ id, times: expect.any(Number) });
    expect(counts.get(id) ?? 0).toBeGreaterThanOrEqual(1);
    expect(counts.get(id) ?? 0).toBeLessThanOrEqual(allowMore.includes(id) ? max + 1 : max);
  }
  for (const id of counts.keys()) expect(failed).toContain(id);
}

/** Runs `faulty` runs with a fault on and two new failures each, then clean runs until the outbox is empty. */
async function series(w: World, faulty: number, applyFault: (run: number) => void, clearFault: () => void, timeoutSec = 60) {
  const failed: string[] = [];
  await w.run();
  for (let i = 0; i < faulty; i++) {
    w.clock.advance(5 * MIN);
    failed.push(w.fail(`http://video.example.com/f/${i}-a.mp4`), w.fail(`http://vod.example.cn/f/${i}-b.mp4`, 40_000, 'Internal Error'));
    applyFault(i);
    await w.run(undefined, undefined, timeoutSec);
  }
  clearFault();
  let last: Record<string, unknown> = {};
  for (let i = 0; i < 3; i++) {
    w.clock.advance(5 * MIN);
    last = await w.run();
  }
  expect(last).toMatchObject({ status: 'ok', health: 'ok', alerts: { pending: 0 } });
  return failed;
}

describe('fault matrix: VOD side', () => {
  it('a throttling storm (60% of requests) on three runs', async () => {
    world = await startWorld();
    const failed = await series(world, 3, () => (world.vod.faults.throttleRate = 0.6), () => (world.vod.faults.throttleRate = 0));
    expect(world.vod.stats.byCode.Throttling).toBeGreaterThan(0);
    expectDelivered(world, failed);
  });

  it('throttled through the whole budget: one health alert, one recovery, every failure still reported', async () => {
    world = await startWorld();
    const failed = await series(world, 2, () => (world.vod.faults.throttleRate = 1), () => (world.vod.faults.throttleRate = 0), 8);
    const texts = world.ding.accepted.map((m) => m.body.markdown!.text);
    expect(texts.filter((t) => t.includes('cannot read refresh tasks'))).toHaveLength(1);
    expect(texts.filter((t) => t.includes('reads refresh tasks again'))).toHaveLength(1);
    expectDelivered(world, failed);
  });

  it('HTML 5xx pages on half the requests', async () => {
    world = await startWorld();
    const failed = await series(world, 3, () => {
      world.vod.faults.htmlRate = 0.5;
      world.vod.faults.queue.push({ kind: 'html', status: 502 });
    }, () => (world.vod.faults.htmlRate = 0));
    expect(world.vod.stats.byCode.HTML502).toBeGreaterThan(0);
    expectDelivered(world, failed);
  });

  it('connection resets on 40% of requests', async () => {
    world = await startWorld();
    const failed = await series(world, 3, () => {
      world.vod.faults.resetRate = 0.4;
      world.vod.faults.queue.push({ kind: 'reset' });
    }, () => (world.vod.faults.resetRate = 0));
    expect(world.vod.stats.byCode.ECONNRESET).toBeGreaterThan(0);
    expectDelivered(world, failed);
  });

  it('answers slower than the client timeout', async () => {
    world = await startWorld({ env: { VOD_REQUEST_TIMEOUT_MS: '300' } });
    const failed = await series(world, 2, () => world.vod.faults.queue.push({ kind: 'slow', ms: 700 }, { kind: 'slow', ms: 700 }), () => undefined);
    expectDelivered(world, failed);
  });

  it('task lists that change between pages: inserts inside the window and late failures during busy scans', async () => {
    world = await startWorld();
    const now = world.clock.now();
    for (let i = 0; i < 400; i++) world.vod.store.add({ ObjectPath: `http://video.example.com/bulk/${i}.mp4`, creationMs: now - 2 * 3600_000 + i * 1000 });
    const refreshing = Array.from({ length: 30 }, (_, i) => world.vod.store.add({ ObjectPath: `http://video.example.com/r/${i}.mp4`, creationMs: now - 20_000, Status: 'Refreshing' }).TaskId);
    const failed: string[] = [];
    await world.run();
    let n = 0;
    world.vod.onRequest = () => {
      // every request: one new failure created 20 s ago (lands inside the window being read), one late failure
      failed.push(world.fail(`http://video.example.com/mid/${n}.mp4`, 20_000));
      const id = refreshing[n++];
      if (id) {
        world.vod.store.update(id, { Status: 'Failed', Description: 'Origin Timeout' });
        failed.push(id);
      }
      if (n > 40) world.vod.onRequest = null;
    };
    for (let i = 0; i < 6; i++) {
      world.clock.advance(5 * MIN);
      // 60 new completed tasks per tick keep every run above one page
      for (let k = 0; k < 60; k++) world.vod.store.add({ ObjectPath: `http://vod.example.cn/busy/${i}-${k}.mp4`, creationMs: world.clock.now() - 90_000 + k * 1000 });
      await world.run();
    }
    world.vod.onRequest = null;
    for (let i = 0; i < 2; i++) {
      world.clock.advance(5 * MIN);
      await world.run();
    }
    expect(n).toBeGreaterThan(5);
    expectDelivered(world, failed);
  });
});

describe('fault matrix: DingTalk side', () => {
  it('130101 on two runs in a row', async () => {
    world = await startWorld();
    const failed = await series(world, 2, () => world.ding.faults.push({ kind: 'errcode', errcode: 130101, errmsg: 'send too fast' }), () => undefined);
    expectDelivered(world, failed);
  });

  it('310000 (wrong signing secret) for two runs, then fixed', async () => {
    world = await startWorld();
    const good = world.ding.robots[0]!.secret;
    const failed = await series(world, 2, () => (world.ding.robots[0]!.secret = 'SECrotated-on-the-robot-side'), () => (world.ding.robots[0]!.secret = good));
    expect(world.ding.answers['310000']).toBe(2);
    expect(world.sink.records().filter((r) => r.event === 'alert-failed' && String(r.msg).includes('DINGTALK_SECRET'))).toHaveLength(2);
    expectDelivered(world, failed);
  });

  it('-1 (busy) and 5xx answers', async () => {
    world = await startWorld();
    const failed = await series(world, 3, (i) => world.ding.faults.push(i % 2 ? { kind: 'errcode', errcode: -1 } : { kind: 'status', status: 502 }), () => undefined);
    expectDelivered(world, failed);
  });

  it('answers slower than the alert timeout', async () => {
    world = await startWorld({ env: { ALERT_TIMEOUT_MS: '300' } });
    const failed = await series(world, 2, () => world.ding.faults.push({ kind: 'slow', ms: 700 }), () => undefined);
    expectDelivered(world, failed, 2);
  });

  it('the robot down for three runs in a row', async () => {
    world = await startWorld();
    const failed = await series(world, 3, () => (world.ding.down = true), () => (world.ding.down = false), 10);
    expect(world.ding.accepted).toHaveLength(1);
    expectDelivered(world, failed);
  });
});

let childTick = 0;
function runChild(w: World): { exited: Promise<number | null>; kill: () => void } {
  // a trigger time of its own, so the run is not taken for a duplicate of the one before
  const triggerTime = new Date(Date.parse('2026-01-01T00:00:00Z') + ++childTick * 300_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const child = spawn(process.execPath, [path.join(__dirname, '../helpers/child-run.js'), JSON.stringify({ env: w.env, credentials: FC_CREDENTIALS, triggerTime })], { stdio: 'ignore' });
  const exited = new Promise<number | null>((r) => child.on('exit', (code, signal) => r(signal ? -1 : code)));
  return { exited, kill: () => child.kill('SIGKILL') };
}

describe('fault matrix: the process killed (SIGKILL)', () => {
  it('between delivery and saving state: the one documented repeat, nothing lost', async () => {
    world = await startWorld();
    await world.run();
    const f1 = world.fail('http://video.example.com/kill/1.mp4');
    let child = runChild(world);
    world.ding.beforeReply = async () => {
      child.kill();
      await child.exited;
    };
    expect(await child.exited).toBe(-1);
    expect(world.ding.accepted).toHaveLength(1);
    world.ding.beforeReply = null;
    const f2 = world.fail('http://video.example.com/kill/2.mp4');
    world.clock.advance(MIN);
    const r = await world.run();
    expect(r.status).toBe('ok');
    // f1 was accepted by the robot but never confirmed: the crash window repeats it once
    expectDelivered(world, [f1, f2], 1, [f1]);
    child = runChild(world);
    await child.exited;
  });

  it('during the scan: nothing lost, nothing repeated', async () => {
    world = await startWorld();
    await world.run();
    const f1 = world.fail('http://video.example.com/kill/3.mp4');
    const child = runChild(world);
    world.vod.onRequest = () => child.kill();
    expect(await child.exited).toBe(-1);
    world.vod.onRequest = null;
    world.clock.advance(MIN);
    await world.run();
    expectDelivered(world, [f1]);
  });

  it('after the outbox was saved but before sending: delivered once by the next run', async () => {
    world = await startWorld();
    await world.run();
    const f1 = world.fail('http://video.example.com/kill/4.mp4');
    const child = runChild(world);
    world.ding.down = true;
    // the robot is unreachable, so the child is retrying delivery with its outbox already saved
    await new Promise((r) => setTimeout(r, 400));
    child.kill();
    await child.exited;
    expect(JSON.parse(readFileSync(world.stateFile, 'utf8')).outbox).toHaveLength(1);
    world.ding.down = false;
    world.clock.advance(MIN);
    await world.run();
    expectDelivered(world, [f1]);
  });
});

describe('fault matrix: state and concurrency', () => {
  it.each([
    ['truncated', (t: string) => t.slice(0, Math.floor(t.length / 2))],
    ['garbage', () => '\u0000\u0001not json'],
    ['from a future version', (t: string) => JSON.stringify({ ...JSON.parse(t), version: 7 })],
  ])('a %s state file: kept aside, recent failures listed again at most once more, later ones once', async (_n, corrupt) => {
    world = await startWorld();
    await world.run();
    world.clock.advance(5 * MIN);
    const before = [world.fail('http://video.example.com/s/1.mp4'), world.fail('http://video.example.com/s/2.mp4')];
    await world.run();
    writeFileSync(world.stateFile, corrupt(readFileSync(world.stateFile, 'utf8')));
    world.clock.advance(5 * MIN);
    const after = world.fail('http://video.example.com/s/3.mp4');
    const r = await world.run();
    expect(r.stateError).toBeTruthy();
    world.clock.advance(5 * MIN);
    await world.run();
    expectDelivered(world, [...before, after], 1, before);
  });

  it('two invocations at once on the same state file: one runs, one stands aside', async () => {
    world = await startWorld();
    await world.run();
    world.clock.advance(5 * MIN);
    const f = [world.fail('http://video.example.com/c/1.mp4'), world.fail('http://video.example.com/c/2.mp4')];
    const [a, b] = await Promise.all([world.run(undefined, '2026-11-28T01:00:00Z'), world.run(undefined, '2026-11-28T01:00:01Z')]);
    expect([a.status, b.status].sort()).toEqual(['ok', 'skipped']);
    expectDelivered(world, f);
  });

  it('the same timer event delivered twice (an async retry): handled once', async () => {
    world = await startWorld();
    await world.run();
    const f = world.fail('http://video.example.com/d/1.mp4');
    const r1 = await world.run(undefined, '2026-11-28T02:00:00Z');
    const r2 = await world.run(undefined, '2026-11-28T02:00:00Z');
    expect([r1.status, r2.status]).toEqual(['ok', 'duplicate']);
    expectDelivered(world, [f]);
  });
});
