import RPCClient from '@alicloud/pop-core';
import { rowKey } from '../../lib/identity';
import { makeRedactor } from '../../lib/redact';
import { VodError } from '../../lib/vod/errors';
import { MAX_URLS_PER_TASK } from '../../lib/vod/reader';
import type { RefreshTask } from '../../lib/vod/types';
import { DEFAULT_ACCOUNT, startVodSim, type VodSim } from '../../sim/vod/server';
import { makeReader } from '../helpers/reader';
import { logSink } from '../helpers/sink';
import { movableClock } from '../helpers/world';

const HOUR = 3600_000;
const STS = { accessKeyId: 'STS.NUxSimTempKey', accessKeySecret: 'sts-secret-for-tests-9f8e7d', securityToken: 'CAIS-sim-security-token-0042' };

let sim: VodSim;
beforeEach(async () => {
  sim = await startVodSim({ accounts: [DEFAULT_ACCOUNT, STS], seed: 7 });
});
afterEach(async () => {
  await sim.close();
});

function seed(n: number) {
  const now = Date.now();
  for (let i = 0; i < n; i++) sim.store.add({ ObjectPath: `http://video.example.com/v/${i}.mp4`, creationMs: now - 2 * HOUR + i * 1000 });
}

describe('the simulator against pop-core', () => {
  it('accepts pop-core GET and POST requests, with AccessKey and with STS credentials', async () => {
    seed(3);
    for (const method of ['GET', 'POST'] as const) {
      for (const credentials of [DEFAULT_ACCOUNT, STS]) {
        const { reader } = makeReader({ endpoint: sim.url, logger: logSink().logger, credentials, method });
        const page = await reader.page({ pageSize: 50 });
        expect(page.totalCount).toBe(3);
      }
    }
    expect(sim.stats.byCode).toEqual({ OK: 4 });
  });

  it('rejects a signature that differs by a single character', async () => {
    const client = new RPCClient({
      endpoint: sim.url,
      apiVersion: '2017-03-21',
      accessKeyId: DEFAULT_ACCOUNT.accessKeyId,
      accessKeySecret: DEFAULT_ACCOUNT.accessKeySecret,
    });
    const ok = await client.request<{ TotalCount: number }>('DescribeVodRefreshTasks', {}, { formatParams: false });
    expect(ok.TotalCount).toBe(0);
    // Sign with a secret one character off: the request is otherwise identical.
    const bad = new RPCClient({
      endpoint: sim.url,
      apiVersion: '2017-03-21',
      accessKeyId: DEFAULT_ACCOUNT.accessKeyId,
      accessKeySecret: `${DEFAULT_ACCOUNT.accessKeySecret.slice(0, -1)}X`,
    });
    await expect(bad.request('DescribeVodRefreshTasks', {}, {})).rejects.toMatchObject({ code: 'SignatureDoesNotMatch' });
  });

  it.each([
    ['an unknown AccessKeyId', { ...DEFAULT_ACCOUNT, accessKeyId: 'LTAInobody' }, 'InvalidAccessKeyId.NotFound', 404],
    ['an STS key without its token', { accessKeyId: STS.accessKeyId, accessKeySecret: STS.accessKeySecret }, 'MissingSecurityToken', 400],
    ['an STS key with the wrong token', { ...STS, securityToken: 'CAIS-wrong' }, 'InvalidSecurityToken.MismatchWithAccessKey', 400],
  ])('answers %s with the real code and status, never retried', async (_n, credentials, code, status) => {
    const { reader } = makeReader({ endpoint: sim.url, logger: logSink().logger, credentials });
    await expect(reader.page({})).rejects.toMatchObject({ code, httpStatus: status, retryable: false });
    expect(sim.stats.requests).toBe(1);
  });

  it.each([
    ['StartTime alone', { StartTime: '2026-11-28T00:00:00Z' }, 'MissingParameter', 400],
    ['Status without ObjectType', { Status: 'Failed' }, 'MissingParameter.ObjectType', 400],
    ['PageSize 51', { PageSize: '51' }, 'InvalidParameter', 400],
    ['a TaskId that is not digits', { TaskId: 'abc' }, 'InvalidTaskId.Malformed', 400],
    ['milliseconds in StartTime', { StartTime: '2026-11-28T00:00:00.000Z', EndTime: '2026-11-28T01:00:00Z' }, 'InvalidStartTime.Malformed', 400],
    [
      'EndTime before StartTime',
      { StartTime: `${new Date(Date.now() - HOUR).toISOString().slice(0, 19)}Z`, EndTime: `${new Date(Date.now() - 2 * HOUR).toISOString().slice(0, 19)}Z` },
      'InvalidEndTime.Mismatch',
      400,
    ],
    [
      'a window older than 3 days',
      {
        StartTime: `${new Date(Date.now() - 4 * 24 * HOUR).toISOString().slice(0, 19)}Z`,
        EndTime: `${new Date(Date.now() - HOUR).toISOString().slice(0, 19)}Z`,
      },
      'InvalidTime',
      400,
    ],
  ])('enforces the API rules: %s', async (_n, params, code, status) => {
    const { api } = makeReader({ endpoint: sim.url, logger: logSink().logger });
    await expect(api.describeRefreshTasks(params as Record<string, string>)).rejects.toMatchObject({ code, httpStatus: status, retryable: false });
  });

  it('answers OperationDenied for an account without VOD and OperationDenied.Suspended in arrears', async () => {
    const { reader } = makeReader({ endpoint: sim.url, logger: logSink().logger });
    sim.accounts[0]!.state = 'notOpened';
    await expect(reader.page({})).rejects.toMatchObject({ code: 'OperationDenied', httpStatus: 403, retryable: false });
    sim.accounts[0]!.state = 'suspended';
    await expect(reader.page({})).rejects.toMatchObject({ code: 'OperationDenied.Suspended', httpStatus: 403, retryable: false });
    expect(sim.stats.requests).toBe(2);
  });

  it('filters by domain, type and status, newest first', async () => {
    const now = Date.now();
    sim.store.add({ ObjectPath: 'http://a.example.com/1.mp4', creationMs: now - 3000, Status: 'Failed', Description: 'Origin Timeout' });
    sim.store.add({ ObjectPath: 'http://b.example.com/2.mp4', creationMs: now - 2000, Status: 'Failed', Description: 'Internal Error' });
    sim.store.add({ ObjectPath: 'http://a.example.com/3.mp4', creationMs: now - 1000, Status: 'Complete' });
    sim.store.add({ ObjectPath: 'http://a.example.com/dir/', ObjectType: 'directory', creationMs: now - 500, Status: 'Failed' });
    const { reader } = makeReader({ endpoint: sim.url, logger: logSink().logger });
    const failedA = await reader.page({ objectType: 'file', status: 'Failed', domainName: 'a.example.com' });
    expect(failedA.tasks.map((t) => t.objectPath)).toEqual(['http://a.example.com/1.mp4']);
    const all = await reader.page({});
    expect(all.tasks.map((t) => t.createdAtMs)).toEqual([...all.tasks.map((t) => t.createdAtMs)].sort((a, b) => b! - a!));
  });
});

describe('VodReader.list', () => {
  const window = () => ({ startTime: new Date(Date.now() - 3 * HOUR), endTime: new Date(Math.floor(Date.now() / 1000) * 1000) });
  const collect = () => {
    const keys: string[] = [];
    return { keys, onRows: (rows: RefreshTask[]) => keys.push(...rows.map((r) => rowKey(r.taskId, r.objectPath))) };
  };

  it('returns every row of a many-page window, and counts merged task ids URL by URL', async () => {
    const now = Date.now();
    sim.store.submit({ urls: Array.from({ length: 230 }, (_, i) => `http://video.example.com/batch/${i}.mp4`), kind: 'file', atMs: now - HOUR });
    seed(120);
    const { reader } = makeReader({ endpoint: sim.url, logger: logSink().logger });
    const c = collect();
    const r = await reader.list(window(), c.onRows);
    expect(new Set(c.keys).size).toBe(350);
    expect(r).toMatchObject({ total: 350, seen: 350 });
    expect(reader.stats.discrepancies).toEqual([]);
  });

  it('reads a full merged task id of 2,000 URLs in 40 pages: no page after the last full one, as an id holds no more', async () => {
    const { taskIds } = sim.store.submit({
      urls: Array.from({ length: MAX_URLS_PER_TASK }, (_, i) => `http://video.example.com/c/${i}.ts`),
      kind: 'file',
      atMs: Date.now() - HOUR,
    });
    const { reader } = makeReader({ endpoint: sim.url, logger: logSink().logger });
    const r = await reader.list({ taskId: taskIds[0]! }, () => undefined);
    expect(r).toMatchObject({ total: MAX_URLS_PER_TASK, seen: MAX_URLS_PER_TASK, pages: MAX_URLS_PER_TASK / 50 });
  });

  it('loses no row when rows are inserted inside the window mid-listing and shift the pages', async () => {
    seed(400);
    const start = Date.now() - 2 * HOUR;
    let n = 0;
    sim.onRequest = () => {
      if (n < 20) sim.store.add({ ObjectPath: `http://video.example.com/late/${n++}.mp4`, creationMs: start + 10_000 });
    };
    const { reader } = makeReader({ endpoint: sim.url, logger: logSink().logger });
    const c = collect();
    await reader.list(window(), c.onRows);
    sim.onRequest = null;
    const expected = sim.store.all().filter((t) => !t.ObjectPath.includes('/late/') || Number(t.ObjectPath.split('/').pop()!.split('.')[0]) < 19);
    for (const t of expected.filter((t) => !t.ObjectPath.includes('/late/'))) expect(c.keys).toContain(rowKey(t.TaskId, t.ObjectPath));
  });

  it('lists 5,000 rows against a 20/s limit while asked for 50/s: all of them, slowing down until Throttling stops', async () => {
    // The reader sleeps on a movable clock the simulator's QPS limit counts on: its pacing and backoffs cost no real time.
    const clock = movableClock();
    await sim.close();
    sim = await startVodSim({ accounts: [DEFAULT_ACCOUNT, STS], seed: 7, now: clock.now, rateNow: clock.now });
    seed(5000);
    sim.faults.qpsLimit = 20;
    const { reader, pacer } = makeReader({ endpoint: sim.url, logger: logSink().logger, rate: 50, concurrency: 4, clock });
    const c = collect();
    await reader.list(window(), c.onRows);
    expect(new Set(c.keys).size).toBe(5000);
    expect(reader.stats.throttled).toBeGreaterThan(0);
    expect(pacer.stats.slowDowns).toBeGreaterThan(0);
  });

  it('reads pages 2..n concurrently, never more than the configured concurrency at once', async () => {
    seed(1000);
    sim.faults.latencyMs = 20;
    const { reader } = makeReader({ endpoint: sim.url, logger: logSink().logger, concurrency: 4 });
    await reader.list(window(), () => undefined);
    expect(sim.stats.maxInFlight).toBe(4);
  });
  // Spacing itself is tested with an injected clock in pacer.test.ts: no test here measures wall-clock time.
});

describe('retries', () => {
  it.each([
    ['Throttling', { kind: 'throttle' as const }],
    ['Throttling.User', { kind: 'error' as const, code: 'Throttling.User', status: 400 }],
    ['ServiceUnAvailable', { kind: 'error' as const, code: 'ServiceUnAvailable', status: 503 }],
    ['InternalError', { kind: 'error' as const, code: 'InternalError', status: 500 }],
    ['an HTML 502 page', { kind: 'html' as const, status: 502 }],
    ['a connection reset', { kind: 'reset' as const }],
    ['an answer slower than the timeout', { kind: 'slow' as const, ms: 600 }],
    ['an error status without a Code', { kind: 'noCode' as const, status: 502 }],
    ['a body without paging fields', { kind: 'body' as const, body: { RequestId: 'x' } }],
  ])('retries %s and then succeeds', async (_n, fault) => {
    seed(2);
    sim.faults.queue.push(fault, fault);
    const sink = logSink();
    const { reader } = makeReader({ endpoint: sim.url, logger: sink.logger, timeoutMs: 300 });
    const page = await reader.page({});
    expect(page.totalCount).toBe(2);
    expect(sim.stats.requests).toBe(3);
  });

  it.each([
    ['OperationDenied', 403],
    ['OperationDenied.Suspended', 403],
    ['InvalidAccessKeyId.Inactive', 403],
    ['SignatureDoesNotMatch', 400],
    ['InvalidTaskId.Malformed', 400],
    ['MissingParameter', 400],
    ['InvalidParameter', 400],
    ['InvalidStartTime.Malformed', 400],
  ])('does not retry %s', async (code, status) => {
    sim.faults.queue.push({ kind: 'error', code, status });
    const { reader } = makeReader({ endpoint: sim.url, logger: logSink().logger });
    await expect(reader.page({})).rejects.toMatchObject({ code, retryable: false });
    expect(sim.stats.requests).toBe(1);
  });

  it('gives up when the time budget runs out under a throttling storm, starting nothing past it', async () => {
    sim.faults.throttleRate = 1;
    const { reader } = makeReader({ endpoint: sim.url, logger: logSink().logger, budgetMs: 400 });
    const err = (await reader.page({}).catch((e: unknown) => e)) as VodError;
    expect(['Throttling', 'DeadlineReached']).toContain(err.code);
  });

  it('treats a refused connection as retryable until the budget ends', async () => {
    const url = sim.url;
    await sim.close();
    const { reader } = makeReader({ endpoint: url, logger: logSink().logger, budgetMs: 300 });
    const err = await reader.page({}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VodError);
    expect(['ECONNREFUSED', 'DeadlineReached']).toContain((err as VodError).code);
    sim = await startVodSim();
  });
});

describe('secrets', () => {
  it('never puts the AccessKey secret, STS token or signature in an error or a log line', async () => {
    const signatures: string[] = [];
    const sink = logSink();
    const { reader } = makeReader({ endpoint: sim.url, logger: sink.logger, credentials: STS, timeoutMs: 200 });
    sim.faults.queue.push(
      { kind: 'slow', ms: 400 },
      { kind: 'throttle' },
      { kind: 'html' },
      { kind: 'reset' },
      { kind: 'error', code: 'OperationDenied', status: 403 },
    );
    const err = await reader.page({}).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'OperationDenied' });
    for (const entry of sim.stats.log) expect(entry.Signature).toBeUndefined();
    // the signatures pop-core sent, recomputed from what the simulator logged, must appear nowhere either
    const { signRpc } = await import('../../sim/vod/signature');
    for (const entry of sim.stats.log) signatures.push(signRpc('GET', { ...entry, SecurityToken: STS.securityToken }, STS.accessKeySecret));
    const haystack = [sink.text(), JSON.stringify(err), String((err as Error).message), String((err as Error).stack)].join('\n');
    for (const needle of [STS.accessKeySecret, STS.securityToken, ...signatures, ...signatures.map(encodeURIComponent)]) {
      expect(haystack).not.toContain(needle);
    }
    expect(sink.records().filter((r) => r.event === 'vod-retry')).toHaveLength(4);
  });

  it('redacts secrets and signed query values from any text', () => {
    const redact = makeRedactor(['s3cr3t-value', undefined]);
    expect(redact('x s3cr3t-value y https://h/?Signature=abc&x=1&access_token=tok')).toBe('x *** y https://h/?Signature=***&x=1&access_token=***');
  });

  it('redacts every encoding of a secret: raw, percent-encoded once and twice, JSON-escaped, base64', () => {
    const token = 'CAIS+tok/en==x"y';
    const redact = makeRedactor([token]);
    const forms = [
      token,
      encodeURIComponent(token),
      encodeURIComponent(encodeURIComponent(token)),
      JSON.stringify(token).slice(1, -1),
      Buffer.from(token).toString('base64'),
      'CAIS%252Btok%252Fen%253D%253Dx%2522y',
    ];
    for (const f of forms) expect(redact(`before ${f} after`)).toBe('before *** after');
  });
});
