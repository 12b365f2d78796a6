import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readState } from '../helpers/state-files';
import { FC_CREDENTIALS, shown, startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

/** The invariant: every failed row listed at least once, at most `max` times; nothing else listed as failed. */
function expectDelivered(w: World, failed: string[], max = 1, allowMore: string[] = []) {
  const counts = new Map<string, number>();
  for (const id of w.listed()) counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const id of failed) {
    expect({ id, times: counts.get(id) ?? 0 }).toEqual({ id, times: expect.any(Number) });
    expect(counts.get(id) ?? 0).toBeGreaterThanOrEqual(1);
    expect(counts.get(id) ?? 0).toBeLessThanOrEqual(allowMore.includes(id) ? max + 1 : max);
  }
  for (const id of counts.keys()) expect(failed).toContain(id);
}

/** Runs `faulty` runs with a fault on and two new failures each, then clean runs until the outbox is empty. */
/** `fails`: the faulty runs fail their invocation, with this message (a robot refusing everything: nobody can be told). */
async function series(w: World, faulty: number, applyFault: (run: number) => void, clearFault: () => void, timeoutSec = 60, fails?: RegExp) {
  const failed: string[] = [];
  await w.run();
  for (let i = 0; i < faulty; i++) {
    w.clock.advance(5 * MIN);
    failed.push(w.fail(`http://video.example.com/f/${i}-a.mp4`), w.fail(`http://vod.example.cn/f/${i}-b.mp4`, 40_000, 'Internal Error'));
    applyFault(i);
    const run = w.run(undefined, undefined, timeoutSec);
    if (fails) await expect(run).rejects.toThrow(fails);
    else await run;
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
  it('a throttling storm (60% of requests) on three runs: the run slows down and says so', async () => {
    world = await startWorld();
    const reports: Array<Record<string, unknown>> = [];
    const failed = await series(
      world,
      3,
      () => (world.vod.faults.throttleRate = 0.6),
      () => (world.vod.faults.throttleRate = 0),
    );
    expect(world.vod.stats.byCode.Throttling).toBeGreaterThan(0);
    expect(
      world.sink
        .records()
        .some(
          (r) =>
            r.event === 'run-report' &&
            (r.report as { read: { throttled: number; ratePerSecond: number } }).read.throttled > 0 &&
            (r.report as { read: { ratePerSecond: number } }).read.ratePerSecond < 100,
        ),
    ).toBe(true);
    expectDelivered(world, failed);
    void reports;
  });

  it('throttled through the whole budget: one health alert, one recovery, every failure still reported', async () => {
    world = await startWorld();
    const failed = await series(
      world,
      2,
      () => (world.vod.faults.throttleRate = 1),
      () => (world.vod.faults.throttleRate = 0),
      12,
    );
    expect(world.texts().filter((t) => t.includes('cannot read refresh tasks'))).toHaveLength(1);
    expect(world.texts().filter((t) => t.includes('reads refresh tasks again'))).toHaveLength(1);
    expectDelivered(world, failed);
  });

  it('HTML 5xx pages on half the requests', async () => {
    world = await startWorld();
    const failed = await series(
      world,
      3,
      () => {
        world.vod.faults.htmlRate = 0.5;
        world.vod.faults.queue.push({ kind: 'html', status: 502 });
      },
      () => (world.vod.faults.htmlRate = 0),
    );
    expect(world.vod.stats.byCode.HTML502).toBeGreaterThan(0);
    expectDelivered(world, failed);
  });

  it('connection resets on 40% of requests', async () => {
    world = await startWorld();
    const failed = await series(
      world,
      3,
      () => {
        world.vod.faults.resetRate = 0.4;
        world.vod.faults.queue.push({ kind: 'reset' });
      },
      () => (world.vod.faults.resetRate = 0),
    );
    expect(world.vod.stats.byCode.ECONNRESET).toBeGreaterThan(0);
    expectDelivered(world, failed);
  });

  it('answers slower than the client timeout', async () => {
    world = await startWorld({ env: { VOD_REQUEST_TIMEOUT_MS: '300' } });
    const failed = await series(
      world,
      2,
      () => world.vod.faults.queue.push({ kind: 'slow', ms: 700 }, { kind: 'slow', ms: 700 }),
      () => undefined,
    );
    expectDelivered(world, failed);
  });

  it.each([
    ['10 minutes ahead of', 10 * MIN],
    ['10 minutes behind', -10 * MIN],
  ])("the function's clock %s the API's: every failure reported, no query refused", async (_n, skew) => {
    world = await startWorld();
    const handler = world.built.createHandler({
      env: world.env,
      now: () => world.clock.now() + skew,
      sleep: world.clock.sleep,
      logDestination: world.sink.stream,
    });
    const run = () =>
      handler(Buffer.from(JSON.stringify({ triggerTime: new Date(world.clock.now() + skew).toISOString(), payload: '' })), {
        credentials: FC_CREDENTIALS,
        function: { timeout: 60 },
      });
    const failed: string[] = [];
    await run();
    for (let i = 0; i < 4; i++) {
      world.clock.advance(5 * MIN);
      failed.push(world.fail(`http://video.example.com/skew/${i}.mp4`, 20_000));
      const r = (await run()) as { read: { status: string }; clockSkewMs: number };
      expect(r.read.status).toBe('complete');
      expect(Math.abs(r.clockSkewMs + skew)).toBeLessThan(5000);
    }
    expect(world.vod.stats.byCode.InvalidTime ?? 0).toBe(0);
    expectDelivered(world, failed);
  });

  it('a first run that could not read is still a first run: the next one lists the lookback hour and counts the rest', async () => {
    world = await startWorld();
    const sts = world.vod.accounts.find((a) => a.accessKeyId === FC_CREDENTIALS.accessKeyId)!;
    for (let i = 0; i < 30; i++) world.fail(`http://video.example.com/old/${i}.mp4`, 50 * 60 * MIN);
    const recent = world.fail('http://video.example.com/recent.mp4', 20 * MIN);
    sts.state = 'notOpened';
    expect(await world.run()).toMatchObject({ health: 'down' });
    sts.state = 'ok';
    world.clock.advance(5 * MIN);
    await world.run();
    expect(world.listed()).toEqual([recent]);
    expect(world.texts().join('\n')).toContain('30 earlier failures');
  });

  it('a row whose TaskId the API refuses to look up is looked up by its URL when it crosses the stuck threshold, never blocks the run, and its failure is reported', async () => {
    world = await startWorld();
    await world.run();
    world.clock.advance(MIN);
    const odd = world.vod.store.add({ TaskId: 'Ab-17x', ObjectPath: 'http://video.example.com/odd-id.mp4', creationMs: world.clock.now(), Status: 'Pending' });
    // a busy account: after the odd row, many rows
    for (let i = 0; i < 600; i++)
      world.vod.store.add({ ObjectPath: `http://video.example.com/busy/${i}.mp4`, creationMs: world.clock.now() + 1000 + i * 500, Status: 'Complete' });
    for (let i = 0; i < 8; i++) {
      world.clock.advance(5 * MIN);
      expect(await world.run()).toMatchObject({ status: 'ok', read: { status: 'complete' } });
    }
    expect(world.sink.records().some((r) => r.event === 'lookup-refused')).toBe(true);
    expect(world.listed('stuck')).toEqual([shown(odd)]);
    world.vod.store.updateRow('Ab-17x', odd.ObjectPath, { Status: 'Failed', Description: 'Origin Timeout' });
    world.clock.advance(5 * MIN);
    await world.run();
    expect(world.listed()).toEqual([shown(odd)]);
  });

  it('over 5,000 unfinished rows: none dropped, the late failure of the oldest is reported', async () => {
    world = await startWorld();
    await world.run();
    world.clock.advance(5 * MIN);
    const urls = Array.from({ length: 6000 }, (_, i) => `http://video.example.com/many/${i}.mp4`);
    const { rows } = world.vod.store.submit({ urls, kind: 'file', atMs: world.clock.now() - 2 * MIN });
    await world.run();
    world.clock.advance(5 * MIN);
    world.vod.store.updateRow(rows[0]!.TaskId, rows[0]!.ObjectPath, { Status: 'Failed', Description: 'Origin Timeout' });
    world.vod.store.updateRow(rows[5999]!.TaskId, rows[5999]!.ObjectPath, { Status: 'Failed', Description: 'Internal Error' });
    await world.run();
    expect(world.listed().sort()).toEqual([shown(rows[0]!), shown(rows[5999]!)].sort());
  });
});

describe('fault matrix: DingTalk side', () => {
  it('130101 on two runs in a row', async () => {
    world = await startWorld();
    const failed = await series(
      world,
      2,
      () => world.ding.faults.push({ kind: 'errcode', errcode: 130101, errmsg: 'send too fast' }),
      () => undefined,
    );
    expectDelivered(world, failed);
  });

  it('310000 (wrong signing secret) for two runs, then fixed', async () => {
    world = await startWorld();
    const good = world.ding.robots[0]!.secret;
    const failed = await series(
      world,
      2,
      () => (world.ding.robots[0]!.secret = 'SECrotated-on-the-robot-side'),
      () => (world.ding.robots[0]!.secret = good),
      60,
      /No alert of this run reached anyone: the robot refuses every alert \(310000\)/,
    );
    expect(world.ding.answers['310000']).toBe(2);
    expect(world.sink.records().filter((r) => r.event === 'alert-failed' && String(r.msg).includes('DINGTALK_SECRET'))).toHaveLength(2);
    expectDelivered(world, failed);
  });

  it('-1 (busy) and 5xx answers', async () => {
    world = await startWorld();
    const failed = await series(
      world,
      3,
      (i) => world.ding.faults.push(i % 2 ? { kind: 'errcode', errcode: -1 } : { kind: 'status', status: 502 }),
      () => undefined,
    );
    expectDelivered(world, failed);
  });

  it('a robot that accepts but answers after ALERT_TIMEOUT_MS: never sent again in the run, at most twice in all, the repeat labelled', async () => {
    world = await startWorld({ env: { ALERT_TIMEOUT_MS: '300' } });
    const failed = await series(
      world,
      3,
      () => world.ding.faults.push(...Array.from({ length: 8 }, () => ({ kind: 'slow-reply' as const, ms: 700 }))),
      () => world.ding.faults.splice(0),
    );
    expectDelivered(world, failed, 2);
    const repeats = world.texts().filter((t) => t.includes('Possibly a repeat'));
    expect(repeats.length).toBeGreaterThan(0);
  });

  it('a poison alert the robot refuses for its content: the others arrive, it arrives in short form, nothing is blocked', async () => {
    world = await startWorld();
    world.ding.robots[0]!.refuse = [{ contains: 'forbidden', errcode: 430102 }];
    await world.run();
    world.clock.advance(5 * MIN);
    const ok = [world.fail('http://video.example.com/fine-1.mp4'), world.fail('http://video.example.com/fine-2.mp4')];
    world.fail('http://video.example.com/forbidden.mp4');
    await world.run();
    world.clock.advance(5 * MIN);
    const later = world.fail('http://video.example.com/fine-3.mp4');
    await world.run();
    expect(world.listed().sort()).toEqual([...ok, later].sort());
    expect(world.texts().some((t) => t.includes('refused the full text'))).toBe(true);
  });

  it('the robot down for three runs in a row', async () => {
    world = await startWorld();
    const failed = await series(
      world,
      3,
      () => (world.ding.down = true),
      () => (world.ding.down = false),
      10,
    );
    expect(world.ding.accepted).toHaveLength(1);
    expectDelivered(world, failed);
  });
});

let childTick = 0;
function runChild(w: World): { exited: Promise<number | null>; kill: () => void } {
  const triggerTime = new Date(Date.parse('2026-01-01T00:00:00Z') + ++childTick * 300_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const child = spawn(
    process.execPath,
    [path.join(__dirname, '../helpers/child-run.js'), JSON.stringify({ env: w.env, credentials: FC_CREDENTIALS, triggerTime })],
    { stdio: 'ignore' },
  );
  const exited = new Promise<number | null>((r) => child.on('exit', (code, signal) => r(signal ? -1 : code)));
  return { exited, kill: () => child.kill('SIGKILL') };
}

describe('fault matrix: the process killed (SIGKILL)', () => {
  it('between delivery and saving state: the one documented repeat, nothing lost', async () => {
    world = await startWorld();
    await world.run();
    const f1 = world.fail('http://video.example.com/kill/1.mp4');
    const child = runChild(world);
    world.ding.beforeReply = async () => {
      child.kill();
      await child.exited;
    };
    expect(await child.exited).toBe(-1);
    expect(world.ding.accepted).toHaveLength(1);
    world.ding.beforeReply = null;
    const f2 = world.fail('http://video.example.com/kill/2.mp4');
    world.clock.advance(MIN);
    expect((await world.run()).status).toBe('ok');
    expectDelivered(world, [f1, f2], 1, [f1]);
  });

  it('during the read: nothing lost, nothing repeated', async () => {
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
    // Killed the moment its first send reaches the robot, which neither accepts nor answers it.
    world.ding.onRequest = async () => {
      child.kill();
      await child.exited;
      return 'drop';
    };
    expect(await child.exited).toBe(-1);
    expect(world.ding.accepted).toHaveLength(0);
    expect(readState(world.stateFile).outbox).toHaveLength(1);
    world.ding.onRequest = null;
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
    expect((await world.run()).state).toMatchObject({ reset: expect.any(String) });
    world.clock.advance(5 * MIN);
    await world.run();
    expectDelivered(world, [...before, after], 1, before);
  });

  it('four invocations at once against a stale lock: exactly one runs, each failure once', async () => {
    world = await startWorld();
    await world.run();
    writeFileSync(
      `${world.stateFile}.lock`,
      JSON.stringify({ token: '55555555-5555-5555-5555-555555555555', host: 'gone', pid: 1, expiresAtMs: world.clock.now() - 1 }),
    );
    world.clock.advance(5 * MIN);
    const f = [world.fail('http://video.example.com/c/1.mp4'), world.fail('http://video.example.com/c/2.mp4')];
    const reports = await Promise.all([1, 2, 3, 4].map((i) => world.run(undefined, `2026-11-28T01:00:0${i}Z`)));
    expect(reports.map((r) => r.status).sort()).toEqual(['ok', 'skipped', 'skipped', 'skipped']);
    expectDelivered(world, f);
  });

  it('a lock claiming a lifetime no run has (a clock that ran ahead) does not block the monitor', async () => {
    world = await startWorld();
    mkdirSync(world.dir, { recursive: true });
    writeFileSync(
      `${world.stateFile}.lock`,
      JSON.stringify({ token: '66666666-6666-6666-6666-666666666666', host: 'ahead', pid: 1, expiresAtMs: world.clock.now() + 30 * 86_400_000 }),
    );
    const f = world.fail('http://video.example.com/l/1.mp4');
    expect((await world.run()).status).toBe('ok');
    expectDelivered(world, [f]);
  });

  it('the same timer event delivered twice (an async retry): handled once; a CLI-style run without triggerTime is never a duplicate', async () => {
    world = await startWorld();
    await world.run();
    const f = world.fail('http://video.example.com/d/1.mp4');
    const r1 = await world.run(undefined, '2026-11-28T02:00:00Z');
    const r2 = await world.run(undefined, '2026-11-28T02:00:00Z');
    expect([r1.status, r2.status]).toEqual(['ok', 'duplicate']);
    const handler = world.built.createHandler({ env: world.env, now: world.clock.now, sleep: world.clock.sleep, logDestination: world.sink.stream });
    const cli = () => handler(Buffer.from(JSON.stringify({ triggerName: 'cli', payload: '{}' })), { credentials: FC_CREDENTIALS, function: { timeout: 60 } });
    expect(((await cli()) as { status: string }).status).toBe('ok');
    expect(((await cli()) as { status: string }).status).toBe('ok');
    expectDelivered(world, [f]);
  });
});
