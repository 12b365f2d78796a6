import { spawn } from 'node:child_process';
import path from 'node:path';
import { urlText } from '../../lib/notify/escape';
import { readState } from '../helpers/state-files';
import { FC_CREDENTIALS, NOON_IN_SHANGHAI_MS, shown, startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

const refreshCalls = (w: World) => w.vod.stats.log.filter((p) => p.Action === 'RefreshVodObjectCaches' || p.Action === 'PreloadVodObjectCaches');

describe('automatic re-submission (AUTO_REFRESH=on)', () => {
  it('re-submits a failed URL once, says so at once, then that it recovered; the failure rings nobody while it is handled', async () => {
    world = await startWorld({ startMs: NOON_IN_SHANGHAI_MS, env: { AUTO_REFRESH: 'on', AUTO_REFRESH_DELAY_MINUTES: '0' } });
    await world.run();
    world.clock.advance(5 * MIN);
    const f = world.vod.store.add({
      ObjectPath: 'http://video.example.com/transient.mp4',
      creationMs: world.clock.now() - MIN,
      Status: 'Failed',
      Description: 'Origin Timeout',
    });
    const r = await world.run();
    expect(r.autoRefresh).toMatchObject({ due: 1, submitted: 1 });
    expect(world.vod.submissions).toEqual([expect.objectContaining({ action: 'RefreshVodObjectCaches', urls: [f.ObjectPath], objectType: 'file' })]);
    const first = world.texts()[0]!;
    expect(first).toContain('re-submitting automatically');
    expect(first).toContain('Re-submitted automatically: 1');
    expect(world.ding.accepted[0]!.body.at?.atMobiles).toEqual([]);
    world.clock.advance(5 * MIN);
    await world.run();
    world.clock.advance(5 * MIN);
    await world.run();
    const all = world.texts().join('\n');
    expect(all).toContain('recovered after an automatic retry');
    expect(world.listed()).toEqual([shown(f)]);
    expect(refreshCalls(world)).toHaveLength(1);
  });

  it('a URL that fails again after its retry is reported once more, for good, and rings; no further retry', async () => {
    world = await startWorld({ startMs: NOON_IN_SHANGHAI_MS, env: { AUTO_REFRESH: 'on', AUTO_REFRESH_DELAY_MINUTES: '0' } });
    await world.run();
    world.clock.advance(5 * MIN);
    world.vod.nextFates.push({ afterMs: 30_000, Status: 'Failed', Description: 'Origin Timeout' });
    world.vod.store.add({
      ObjectPath: 'http://video.example.com/broken.mp4',
      creationMs: world.clock.now() - MIN,
      Status: 'Failed',
      Description: 'Origin Timeout',
    });
    await world.run();
    for (let i = 0; i < 4; i++) {
      world.clock.advance(5 * MIN);
      await world.run();
    }
    const last = world.texts().find((t) => t.includes('failed again after 1 automatic retry'))!;
    expect(last).toBeTruthy();
    expect(last).toContain('@13800000000');
    expect(refreshCalls(world)).toHaveLength(1);
  });

  it('with the quota share spent, re-submits nothing and says why, once a day', async () => {
    world = await startWorld({ startMs: NOON_IN_SHANGHAI_MS, env: { AUTO_REFRESH: 'on', AUTO_REFRESH_DELAY_MINUTES: '0' } });
    world.vod.quota.url = 150;
    await world.run();
    for (let i = 0; i < 3; i++) {
      world.clock.advance(5 * MIN);
      world.fail(`http://video.example.com/q${i}.mp4`, MIN);
      await world.run();
    }
    expect(refreshCalls(world)).toHaveLength(0);
    const held = world.texts().filter((t) => t.includes('Automatic re-submission is held'));
    expect(held).toHaveLength(1);
    expect(held[0]).toContain('AUTO_REFRESH_QUOTA_SHARE');
  });

  it('submits many URLs of one domain in one call, directories as Directory and preloads with PreloadVodObjectCaches', async () => {
    world = await startWorld({ startMs: NOON_IN_SHANGHAI_MS, env: { AUTO_REFRESH: 'on', AUTO_REFRESH_DELAY_MINUTES: '0' } });
    await world.run();
    world.clock.advance(5 * MIN);
    for (let i = 0; i < 20; i++) world.fail(`http://video.example.com/many/${i}.mp4`, MIN, 'Internal Error');
    world.vod.store.add({
      ObjectPath: 'http://video.example.com/dir/',
      ObjectType: 'directory',
      creationMs: world.clock.now() - MIN,
      Status: 'Failed',
      Description: 'Origin Timeout',
    });
    world.vod.store.add({
      ObjectPath: 'http://video.example.com/p.m3u8',
      ObjectType: 'preload',
      creationMs: world.clock.now() - MIN,
      Status: 'Failed',
      Description: 'Origin Timeout',
    });
    await world.run();
    const calls = refreshCalls(world);
    expect(calls.map((c) => `${c.Action} ${c.ObjectType ?? '-'}`).sort()).toEqual([
      'PreloadVodObjectCaches -',
      'RefreshVodObjectCaches Directory',
      'RefreshVodObjectCaches File',
    ]);
    expect(world.vod.submissions.find((s) => s.objectType === 'file')!.urls).toHaveLength(20);
  });

  it('a URL the API will not take again (its domain is offline) is handed to a human at once, and rings; never tried again', async () => {
    world = await startWorld({
      startMs: NOON_IN_SHANGHAI_MS,
      env: { AUTO_REFRESH: 'on', AUTO_REFRESH_DELAY_MINUTES: '0' },
      domains: { 'video.example.com': 'offline' },
    });
    await world.run();
    world.clock.advance(5 * MIN);
    const url = world.fail('http://video.example.com/offline.mp4');
    await world.run();
    const texts = world.ding.accepted.map((m) => m.body.markdown?.text ?? '');
    const notice = texts.find((t) => t.includes('will not be re-submitted automatically'));
    expect(notice).toContain('InvalidDomain.Offline');
    expect(notice).toContain(
      `${urlText('http://video.example.com/offline.mp4')} (TaskId ${url.split(' ')[0]}, Origin Timeout: the API refused it (InvalidDomain.Offline))`,
    );
    expect(world.ding.accepted.find((m) => m.body.markdown?.text === notice)!.body.at?.atMobiles).toEqual(['13800000000']);
    for (let i = 0; i < 3; i++) {
      world.clock.advance(5 * MIN);
      await world.run();
    }
    expect(world.vod.stats.byCode['InvalidDomain.Offline']).toBe(1);
    expect(world.ding.accepted.map((m) => m.body.markdown?.text ?? '').filter((t) => t.includes('will not be re-submitted'))).toHaveLength(1);
  });

  it('a re-submission whose answer was lost (connection reset) counts as made; with no new row for the URL in an hour, a human is called by name', async () => {
    world = await startWorld({ startMs: NOON_IN_SHANGHAI_MS, env: { AUTO_REFRESH: 'on', AUTO_REFRESH_DELAY_MINUTES: '0' } });
    await world.run();
    world.clock.advance(5 * MIN);
    world.fail('http://video.example.com/lost.mp4');
    let reset = false;
    world.vod.onRequest = (p) => {
      if (p.Action === 'RefreshVodObjectCaches' && !reset) {
        reset = true;
        world.vod.faults.queue.unshift({ kind: 'reset' });
      }
    };
    const r = await world.run();
    expect(r.autoRefresh).toMatchObject({ submitted: 0, held: ['url: ECONNRESET'] });
    for (let i = 0; i < 14; i++) {
      world.clock.advance(5 * MIN);
      await world.run();
    }
    const calls = world.vod.stats.log.filter((p) => p.Action === 'RefreshVodObjectCaches').length;
    expect(calls).toBe(1);
    const handed = world.ding.accepted.filter((m) => (m.body.markdown?.text ?? '').includes('no new row for it appeared within an hour'));
    expect(handed).toHaveLength(1);
    expect(handed[0]!.body.markdown!.text).toContain(urlText('http://video.example.com/lost.mp4'));
    expect(handed[0]!.body.at?.atMobiles).toEqual(['13800000000']);
  });

  it('a preload queue that is full: waits and tries later, without looping in the run', async () => {
    world = await startWorld({ startMs: NOON_IN_SHANGHAI_MS, env: { AUTO_REFRESH: 'on', AUTO_REFRESH_DELAY_MINUTES: '0' } });
    await world.run();
    world.clock.advance(5 * MIN);
    world.vod.preloadQueueFull = true;
    world.vod.store.add({
      ObjectPath: 'http://video.example.com/p.m3u8',
      ObjectType: 'preload',
      creationMs: world.clock.now() - MIN,
      Status: 'Failed',
      Description: 'Origin Timeout',
    });
    const r = await world.run();
    expect(r.autoRefresh).toMatchObject({ submitted: 0, held: ['preload: PreloadQueueFull'] });
    expect(world.vod.stats.byCode.PreloadQueueFull).toBe(1);
    world.vod.preloadQueueFull = false;
    world.clock.advance(15 * MIN);
    await world.run();
    expect(world.vod.submissions).toHaveLength(1);
  });

  it('a crash (SIGKILL) after VOD accepted the submission, before the run saved it: the URL is not submitted again', async () => {
    world = await startWorld({ startMs: NOON_IN_SHANGHAI_MS, env: { AUTO_REFRESH: 'on', AUTO_REFRESH_DELAY_MINUTES: '0' } });
    await world.run();
    world.clock.advance(5 * MIN);
    world.fail('http://video.example.com/crash.mp4', MIN);
    const child = spawn(
      process.execPath,
      [path.join(__dirname, '../helpers/child-run.js'), JSON.stringify({ env: world.env, credentials: FC_CREDENTIALS, triggerTime: '2026-01-01T00:00:00Z' })],
      { stdio: 'ignore' },
    );
    const exited = new Promise((r) => child.on('exit', r));
    world.vod.onRequest = (p) => {
      if (p.Action === 'RefreshVodObjectCaches') child.kill('SIGKILL');
    };
    await exited;
    world.vod.onRequest = null;
    expect(world.vod.submissions).toHaveLength(1);
    const state = readState(world.stateFile);
    expect(Object.values(state.autoRefresh.retries as Record<string, { intent: unknown }>)[0]!.intent).not.toBeNull();
    world.clock.advance(5 * MIN);
    await world.run();
    world.clock.advance(5 * MIN);
    await world.run();
    expect(refreshCalls(world)).toHaveLength(1);
  });

  it('with AUTO_REFRESH unset, no refresh call is made', async () => {
    world = await startWorld();
    await world.run();
    world.clock.advance(5 * MIN);
    world.fail('http://video.example.com/off.mp4', MIN);
    await world.run();
    expect(refreshCalls(world)).toHaveLength(0);
    expect(world.vod.stats.log.filter((p) => p.Action === 'DescribeVodRefreshQuota')).toHaveLength(0);
  });
});
