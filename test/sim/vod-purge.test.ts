import { startVodSim, type VodSim, type VodSimOptions } from '../../sim/vod/server';
import { callVod, manualClock } from './vod-client';

const NOW = Date.parse('2026-11-28T10:00:00.250Z');
const MIN = 60_000;
const files = (n: number, host = 'a.example.com', from = 0) => Array.from({ length: n }, (_, i) => `https://${host}/videos/${from + i}/index.m3u8`);

let sim: VodSim;
let clock: ReturnType<typeof manualClock>;
const start = async (options: VodSimOptions = {}) => {
  clock = manualClock(NOW);
  sim = await startVodSim({ now: clock.now, ...options });
};
afterEach(() => sim.close());

const refresh = (urls: string[], params: Record<string, string> = {}) =>
  callVod(sim.url, { Action: 'RefreshVodObjectCaches', ObjectPath: urls.join('\n'), ...params }, { method: 'POST' });
const preload = (urls: string[], params: Record<string, string> = {}) =>
  callVod(sim.url, { Action: 'PreloadVodObjectCaches', ObjectPath: urls.join('\r\n'), ...params }, { method: 'POST' });
const quota = async () => (await callVod(sim.url, { Action: 'DescribeVodRefreshQuota' })).body;
const rowsOf = async (taskId: string) => (await callVod(sim.url, { Action: 'DescribeVodRefreshTasks', TaskId: taskId, PageSize: '50' })).body.Tasks!.Task;

describe('RefreshVodObjectCaches', () => {
  it('merges one domain and second into one RefreshTaskId, comma-separates several, and lists a Refreshing row per URL', async () => {
    await start();
    const { status, body } = await refresh([...files(3), ...files(2, 'b.example.com')]);
    expect(status).toBe(200);
    const ids = body.RefreshTaskId!.split(',');
    expect(ids).toHaveLength(2);
    const again = await refresh(files(1, 'a.example.com', 3));
    expect(again.body.RefreshTaskId).toBe(ids[0]);
    const rows = await rowsOf(ids[0]!);
    expect(rows).toHaveLength(4);
    expect(rows.every((r) => r.Status === 'Refreshing' && r.Process === '0%' && r.ObjectType === 'file' && r.CreationTime === '2026-11-28T10:00:00Z')).toBe(
      true,
    );
    expect(sim.submissions.map((s) => [s.action, s.objectType, s.urls.length, s.taskIds.length, s.atMs])).toEqual([
      ['RefreshVodObjectCaches', 'file', 5, 2, NOW],
      ['RefreshVodObjectCaches', 'file', 1, 1, NOW],
    ]);
  });

  it('completes new rows a minute later by default; nextFates script the next rows first, and fatePolicy the rest', async () => {
    await start();
    const first = (await refresh(files(2))).body.RefreshTaskId!;
    clock.advance(MIN);
    expect((await rowsOf(first)).map((r) => r.Status)).toEqual(['Complete', 'Complete']);
    sim.nextFates.push({ afterMs: 1000, Status: 'Failed', Description: 'Origin Timeout' }, { hang: true });
    sim.fatePolicy = () => ({ afterMs: 5000, Status: 'Failed' });
    const second = (await refresh(files(3, 'a.example.com', 10))).body.RefreshTaskId!;
    clock.advance(10_000);
    const rows = await rowsOf(second);
    expect(rows.map((r) => [r.ObjectPath.split('/')[4], r.Status, r.Description])).toEqual([
      ['10', 'Failed', 'Origin Timeout'],
      ['11', 'Refreshing', undefined],
      ['12', 'Failed', 'Internal Error'],
    ]);
    expect(sim.nextFates).toEqual([]);
  });

  it('makes directory rows for Directory and Regex, file rows for IgnoreParams', async () => {
    await start();
    const dir = (await refresh(['http://a.example.com/series/1/'], { ObjectType: 'Directory', Force: 'true' })).body.RefreshTaskId!;
    const regex = (await refresh(['http://a.example.com/series/.*\\.ts'], { ObjectType: 'Regex' })).body.RefreshTaskId!;
    const plain = (await refresh(['http://a.example.com/v.mp4?x=1'], { ObjectType: 'IgnoreParams' })).body.RefreshTaskId!;
    expect((await rowsOf(dir))[0]!.ObjectType).toBe('directory');
    expect((await rowsOf(regex))[0]!.ObjectType).toBe('directory');
    expect((await rowsOf(plain))[0]!.ObjectType).toBe('file');
    expect(await quota()).toMatchObject({ DirRemain: '98', UrlRemain: '1999' });
  });

  it.each([
    ['an unknown ObjectType', ['http://a.example.com/1.mp4'], { ObjectType: 'Folder' }, 400, 'InvalidObjectType.ValueNotSupported'],
    ['1,001 files in one call', files(1001), {}, 400, 'InvalidObjectPath.Size.Malformed'],
    [
      '101 directories in one call',
      Array.from({ length: 101 }, (_, i) => `http://a.example.com/s/${i}/`),
      { ObjectType: 'Directory' },
      400,
      'InvalidObjectPath.Size.Malformed',
    ],
    ['a URL without a scheme', ['a.example.com/1.mp4'], {}, 400, 'InvalidObjectPath.Malformed'],
    ['an ftp URL', ['ftp://a.example.com/1.mp4'], {}, 400, 'InvalidObjectPath.Malformed'],
    ['a directory without its trailing slash', ['http://a.example.com/series'], { ObjectType: 'Directory' }, 400, 'InvalidObjectPath.Malformed'],
    ['no URL at all', ['\n'], {}, 400, 'MissingParameter'],
    ['a Force that is not a boolean', ['http://a.example.com/s/'], { ObjectType: 'Directory', Force: 'yes' }, 400, 'InvalidParameter'],
  ])('refuses %s', async (_name, urls, params, status, code) => {
    await start();
    expect(await refresh(urls, params)).toMatchObject({ status, body: { Code: code } });
    expect(sim.store.size).toBe(0);
    expect(sim.quota).toEqual({ url: 2000, dir: 100, preload: 500 });
  });

  it.each([
    ['a domain the account does not have', 'other.example.com', 404, 'InvalidDomain.NotFound'],
    ['an offline domain', 'off.example.com', 404, 'InvalidDomain.Offline'],
    ['a domain being configured', 'busy.example.com', 403, 'ServiceBusy'],
  ])('refuses %s', async (_name, host, status, code) => {
    await start({ domains: { 'A.example.com': 'online', 'off.example.com': 'offline', 'busy.example.com': 'configuring' } });
    expect(await refresh([...files(1), ...files(1, host)])).toMatchObject({ status, body: { Code: code } });
    expect((await refresh(files(1))).status).toBe(200);
  });

  it('refuses a call needing more than the day has left, creating nothing; the quota comes back at 00:00 Asia/Shanghai', async () => {
    await start({ quota: { url: 5 } });
    clock.set(Date.parse('2026-11-28T15:59:30Z'));
    expect((await refresh(files(3))).status).toBe(200);
    expect(await refresh(files(3, 'a.example.com', 3))).toMatchObject({ status: 400, body: { Code: 'QuotaExceeded.Refresh' } });
    expect(sim.store.size).toBe(3);
    expect(await quota()).toMatchObject({ UrlQuota: '5', UrlRemain: '2' });
    clock.advance(MIN);
    expect(await quota()).toMatchObject({ UrlQuota: '5', UrlRemain: '5' });
    expect((await refresh(files(5, 'a.example.com', 3))).status).toBe(200);
  });
});

describe('PreloadVodObjectCaches', () => {
  it('answers PreloadTaskId with preload rows, apart from a refresh of the same second', async () => {
    await start();
    const { body } = await preload(files(2), { Area: 'domestic', L2Preload: 'true', WithHeader: '{"Accept-Encoding":["gzip"]}' });
    const refreshed = (await refresh(files(2))).body.RefreshTaskId!;
    expect(body.PreloadTaskId).toMatch(/^\d+$/);
    expect(body.PreloadTaskId).not.toBe(refreshed);
    expect((await rowsOf(body.PreloadTaskId!)).map((r) => r.ObjectType)).toEqual(['preload', 'preload']);
    expect(await quota()).toMatchObject({ PreloadRemain: '498', UrlRemain: '1998' });
  });

  it.each([
    ['1,001 URLs', files(1001), {}, 400, 'InvalidObjectPath.Size.Malformed'],
    ['an Area of its own', files(1), { Area: 'moon' }, 400, 'InvalidParameter'],
    ['an L2Preload that is not a boolean', files(1), { L2Preload: 'yes' }, 400, 'InvalidParameter'],
    ['a WithHeader that is not JSON', files(1), { WithHeader: '{oops' }, 400, 'InvalidParameter'],
    ['a malformed URL', ['not a url'], {}, 400, 'InvalidObjectPath.Malformed'],
  ])('refuses %s', async (_name, urls, params, status, code) => {
    await start();
    expect(await preload(urls, params)).toMatchObject({ status, body: { Code: code } });
    expect(sim.store.size).toBe(0);
  });

  it('answers PreloadQueueFull while the queue is full, and QuotaExceeded.Preload past the daily preloads', async () => {
    await start();
    sim.preloadQueueFull = true;
    expect(await preload(files(1))).toMatchObject({ status: 403, body: { Code: 'PreloadQueueFull' } });
    sim.preloadQueueFull = false;
    sim.quota.preload = 1;
    expect(await preload(files(2))).toMatchObject({ status: 400, body: { Code: 'QuotaExceeded.Preload' } });
    expect((await preload(files(1))).status).toBe(200);
    expect(sim.store.size).toBe(1);
  });
});

describe('DescribeVodRefreshQuota', () => {
  it('answers every quota and remainder as a string, blockRemain with its lower-case b', async () => {
    await start();
    const body = await quota();
    expect(Object.keys(body).sort()).toEqual([
      'BlockQuota',
      'DirQuota',
      'DirRemain',
      'PreloadQuota',
      'PreloadRemain',
      'RequestId',
      'UrlQuota',
      'UrlRemain',
      'blockRemain',
    ]);
    expect(body).toMatchObject({ UrlQuota: '2000', UrlRemain: '2000', DirQuota: '100', DirRemain: '100', PreloadQuota: '500', PreloadRemain: '500' });
    for (const [k, v] of Object.entries(body)) expect([k, typeof v]).toEqual([k, 'string']);
  });
});
