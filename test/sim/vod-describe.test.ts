import { percentEncode } from '../../sim/shared/encoding';
import { DEFAULT_ACCOUNT, startVodSim, type VodSim } from '../../sim/vod/server';
import { callVod, isoSeconds, manualClock } from './vod-client';

const NOW = Date.parse('2026-11-28T10:00:00Z');
const STS = { accessKeyId: 'STS.NUsimKey', accessKeySecret: 'sts-secret-1', securityToken: 'CAIS/token+with=odd&chars' };

let sim: VodSim;
let clock: ReturnType<typeof manualClock>;
const describeTasks = (params: Record<string, string> = {}) => callVod(sim.url, { Action: 'DescribeVodRefreshTasks', ...params });

beforeEach(async () => {
  clock = manualClock(NOW);
  sim = await startVodSim({ now: clock.now, accounts: [DEFAULT_ACCOUNT, STS] });
});
afterEach(() => sim.close());

describe('DescribeVodRefreshTasks', () => {
  it('lists rows newest first, one per URL, with TotalCount the rows matching and Description only when set', async () => {
    sim.store.add({ ObjectPath: 'http://a.example.com/1.mp4', creationMs: NOW - 3000, Status: 'Failed', Description: 'Origin Timeout' });
    sim.store.add({ ObjectPath: 'http://b.example.com/2.mp4', creationMs: NOW - 2000 });
    sim.store.add({ ObjectPath: 'http://a.example.com/dir/', ObjectType: 'directory', creationMs: NOW - 1000, Status: 'Failed' });
    const { status, body } = await describeTasks({ PageSize: '2' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ PageNumber: 1, PageSize: 2, TotalCount: 3 });
    expect(body.Tasks!.Task).toEqual([
      {
        TaskId: '700000002',
        ObjectPath: 'http://a.example.com/dir/',
        ObjectType: 'directory',
        Status: 'Failed',
        Process: '0%',
        CreationTime: isoSeconds(NOW - 1000),
      },
      {
        TaskId: '700000001',
        ObjectPath: 'http://b.example.com/2.mp4',
        ObjectType: 'file',
        Status: 'Complete',
        Process: '100%',
        CreationTime: isoSeconds(NOW - 2000),
      },
    ]);
    const filtered = await describeTasks({ ObjectType: 'file', Status: 'Failed', DomainName: 'A.example.com' });
    expect(filtered.body.Tasks!.Task.map((t) => t.ObjectPath)).toEqual(['http://a.example.com/1.mp4']);
  });

  it('answers a TaskId with all its rows, and TaskId with ObjectPath with exactly one', async () => {
    const { taskIds } = sim.store.submit({ urls: Array.from({ length: 12 }, (_, i) => `http://a.example.com/v/${i}.ts`), kind: 'file', atMs: NOW - 5000 });
    sim.store.add({ ObjectPath: 'http://a.example.com/v/0.ts', creationMs: NOW - 1000 });
    const all = await describeTasks({ TaskId: taskIds[0]!, PageSize: '50' });
    expect(all.body.TotalCount).toBe(12);
    expect(new Set(all.body.Tasks!.Task.map((t) => t.TaskId))).toEqual(new Set(taskIds));
    const one = await describeTasks({ TaskId: taskIds[0]!, ObjectPath: 'http://a.example.com/v/0.ts' });
    expect(one.body.Tasks!.Task).toHaveLength(1);
    expect((await describeTasks({ ObjectPath: 'http://a.example.com/v/0.ts' })).body.TotalCount).toBe(2);
  });

  it('omits Tasks on an empty page when told to, as the API sometimes does', async () => {
    sim.faults.omitEmptyTasks = true;
    const { body } = await describeTasks();
    expect(body.TotalCount).toBe(0);
    expect(body.Tasks).toBeUndefined();
  });

  it.each([
    ['StartTime alone', { StartTime: isoSeconds(NOW - 60_000) }, 'MissingParameter'],
    ['Status without ObjectType', { Status: 'Failed' }, 'MissingParameter.ObjectType'],
    ['DomainName without ObjectType', { DomainName: 'a.example.com' }, 'MissingParameter.ObjectType'],
    ['Status Pending (not a filter value)', { ObjectType: 'file', Status: 'Pending' }, 'InvalidParameter'],
    ['ObjectType File (case matters)', { ObjectType: 'File' }, 'InvalidParameter'],
    ['PageSize 51', { PageSize: '51' }, 'InvalidParameter'],
    ['PageSize 0', { PageSize: '0' }, 'InvalidParameter'],
    ['PageNumber 0', { PageNumber: '0' }, 'InvalidParameter'],
    ['a TaskId with letters', { TaskId: '70abc' }, 'InvalidTaskId.Malformed'],
    ['milliseconds in StartTime', { StartTime: new Date(NOW - 60_000).toISOString(), EndTime: isoSeconds(NOW) }, 'InvalidStartTime.Malformed'],
    ['a malformed EndTime', { StartTime: isoSeconds(NOW - 60_000), EndTime: '2026-11-28 10:00:00' }, 'InvalidEndTime.Malformed'],
    ['EndTime before StartTime', { StartTime: isoSeconds(NOW), EndTime: isoSeconds(NOW - 60_000) }, 'InvalidEndTime.Mismatch'],
    ['a window older than 3 days of the API clock', { StartTime: isoSeconds(NOW - 3 * 86_400_000 - 60_000), EndTime: isoSeconds(NOW) }, 'InvalidTime'],
  ])('refuses %s with 400 %s', async (_name, params, code) => {
    expect(await describeTasks(params)).toMatchObject({ status: 400, body: { Code: code } });
  });
});

describe('the gateway', () => {
  it('dates every answer, success or error, by the API clock', async () => {
    clock.set(NOW + 7 * 3600_000 + 12_345);
    const ok = await describeTasks();
    expect(Date.parse(ok.date!)).toBe(Math.floor(clock.now() / 1000) * 1000);
    const bad = await describeTasks({ TaskId: 'x' });
    expect(bad.status).toBe(400);
    expect(Date.parse(bad.date!)).toBe(Math.floor(clock.now() / 1000) * 1000);
  });

  it('answers a wrong signature as the real gateway does: its string to sign, key id and twice-encoded STS token included', async () => {
    const plain = await callVod(sim.url, { Action: 'DescribeVodRefreshTasks' }, { signWith: 'wrong-secret' });
    expect(plain.status).toBe(400);
    expect(plain.body.Code).toBe('SignatureDoesNotMatch');
    expect(plain.body.Message).toMatch(/^Specified signature is not matched with our calculation\. server string to sign is:GET&%2F&AccessKeyId%3D/);
    expect(plain.body.Message).toContain(`AccessKeyId%3D${DEFAULT_ACCOUNT.accessKeyId}%26Action%3DDescribeVodRefreshTasks`);
    const sts = await callVod(sim.url, { Action: 'DescribeVodRefreshQuota' }, { method: 'POST', account: STS, signWith: 'nope' });
    expect(sts.body.Message).toMatch(/server string to sign is:POST&%2F&/);
    expect(sts.body.Message).toContain(`SecurityToken%3D${percentEncode(percentEncode(STS.securityToken))}`);
  });

  it('accepts STS keys with their token, and checks key, nonce, version and action before any action runs', async () => {
    expect((await callVod(sim.url, { Action: 'DescribeVodRefreshQuota' }, { account: STS })).status).toBe(200);
    const stranger = { accessKeyId: 'LTAI-unknown', accessKeySecret: 'x' };
    expect(await callVod(sim.url, { Action: 'RefreshVodObjectCaches', ObjectPath: 'http://a.example.com/1' }, { account: stranger })).toMatchObject({
      status: 404,
      body: { Code: 'InvalidAccessKeyId.NotFound' },
    });
    expect(await describeTasks({ Action: 'DeleteVodRefreshTasks' })).toMatchObject({ status: 404, body: { Code: 'InvalidAction.NotFound' } });
    sim.accounts[0]!.state = 'suspended';
    expect(await callVod(sim.url, { Action: 'PreloadVodObjectCaches', ObjectPath: 'http://a.example.com/1' })).toMatchObject({
      status: 403,
      body: { Code: 'OperationDenied.Suspended' },
    });
    expect(sim.store.size).toBe(0);
  });

  it('throttles every action per AccessKeyId, plays scripted faults on them, and logs each request with its Action', async () => {
    sim.faults.qpsLimit = 0;
    expect(await callVod(sim.url, { Action: 'DescribeVodRefreshQuota' })).toMatchObject({ status: 503, body: { Code: 'Throttling' } });
    expect(await callVod(sim.url, { Action: 'RefreshVodObjectCaches', ObjectPath: 'http://a.example.com/1.mp4' })).toMatchObject({
      status: 503,
      body: { Code: 'Throttling' },
    });
    sim.faults.qpsLimit = null;
    sim.faults.queue.push({ kind: 'error', code: 'ServiceUnAvailable', status: 503 });
    expect(await callVod(sim.url, { Action: 'RefreshVodObjectCaches', ObjectPath: 'http://a.example.com/1.mp4' })).toMatchObject({
      status: 503,
      body: { Code: 'ServiceUnAvailable' },
    });
    expect(sim.store.size).toBe(0);
    expect(sim.stats.byCode).toEqual({ Throttling: 2, ServiceUnAvailable: 1 });
    expect(sim.stats.log.map((e) => e.Action)).toEqual(['DescribeVodRefreshQuota', 'RefreshVodObjectCaches', 'RefreshVodObjectCaches']);
    expect(sim.stats.log.every((e) => e.Signature === undefined && e.SecurityToken === undefined)).toBe(true);
  });
});
