// `wait`, `refresh --wait` and `preload --wait` against the VOD simulator, on a virtual clock: the CLI's sleep moves
// the clock that the simulator's rows evolve on, so a 30-minute wait takes milliseconds and no test waits on real time.
import { rmSync } from 'node:fs';
import { type CliIo, EXIT, main } from '../../lib/cli/main';
import { FC_CREDENTIALS } from '../helpers/world';
import { type CliWorld, closedPort, startCliWorld } from './world';

const MIN = 60_000;
let w: CliWorld;
beforeEach(async () => {
  w = await startCliWorld();
});
afterEach(async () => {
  await w.close();
  // The shared world leaves its state folder behind; this file removes the ones it made.
  rmSync(w.world.dir, { recursive: true, force: true });
});

type Env = Record<string, string | undefined>;
interface Run {
  code: number;
  out: string;
  err: string;
  /** What was written to the terminal (stderr as a TTY), raw. */
  term: string;
}

/** Runs the CLI with a virtual sleep (it moves the world's clock) and, when asked, stderr as a terminal. */
async function cli(argv: string[], opts: { terminal?: boolean; env?: Env } = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const term: string[] = [];
  const env = Object.fromEntries(Object.entries({ ...w.env, ...opts.env }).filter(([, v]) => v !== undefined)) as Env;
  const io: CliIo = {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    env,
    now: w.world.clock.now,
    sleep: async (ms) => w.world.clock.advance(Math.max(0, ms)),
    ...(opts.terminal ? { terminal: { write: (t: string) => void term.push(t), columns: 120 } } : {}),
  };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n'), term: term.join('') };
}

/** The virtual times at which the simulator was asked for task rows. */
function describeTimes(): number[] {
  const times: number[] = [];
  w.world.vod.onRequest = (p) => {
    if (p.Action === 'DescribeVodRefreshTasks') times.push(w.world.clock.now());
  };
  return times;
}

const describes = () => w.world.vod.stats.log.filter((p) => p.Action === 'DescribeVodRefreshTasks');

/** `n` URLs submitted at once (one merged task id), each given its fate by index. */
function mergedBatch(n: number, fate: (i: number) => { afterMs: number; Status: 'Complete' | 'Failed'; Description?: string } | null) {
  const urls = Array.from({ length: n }, (_, i) => `http://video.example.com/launch/seg-${String(i).padStart(3, '0')}.ts`);
  const { taskIds } = w.world.vod.store.submit({ urls, kind: 'file', atMs: w.world.clock.now(), fate: (_u, i) => fate(i) });
  return { urls, taskId: taskIds[0]! };
}

describe('refresh --wait', () => {
  it('submits, waits, and exits 0 when every URL completed; the pauses grow from 10 s to the 1-minute cap', async () => {
    w.world.vod.fatePolicy = () => ({ afterMs: 6 * MIN, Status: 'Complete' });
    const times = describeTimes();
    const started = w.world.clock.now();
    const r = await cli(['refresh', '--wait', 'http://video.example.com/a.mp4', 'http://video.example.com/b.mp4']);
    expect(r.code).toBe(EXIT.ok);
    expect(w.world.vod.submissions).toHaveLength(1);
    expect(w.world.vod.submissions[0]).toMatchObject({ action: 'RefreshVodObjectCaches', objectType: 'file' });
    const [taskId] = w.world.vod.submissions[0]!.taskIds;
    expect(r.err).toContain(`submitted 2 URL(s) in 1 call(s): task id(s) ${taskId}`);
    expect(r.out).toMatch(/^complete: 2 URL\(s\): 2 complete, after 6 min \d+ s$/);
    expect(w.world.clock.now() - started).toBeGreaterThanOrEqual(6 * MIN);
    expect(w.world.clock.now() - started).toBeLessThan(7 * MIN + 10_000);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(10_000);
    expect(gaps[0]).toBeLessThan(12_000);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]! - 1000);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(61_000);
    expect(gaps.at(-2)).toBeGreaterThanOrEqual(59_000);
  });

  it('exits 1 when a URL failed, listing it with its Description; the other URL is not listed', async () => {
    w.world.vod.nextFates.push({ afterMs: 3 * MIN, Status: 'Failed', Description: 'Origin Return StatusCode 5XX' }, { afterMs: 2 * MIN, Status: 'Complete' });
    const r = await cli(['refresh', '--wait', 'http://video.example.com/bad.mp4', 'http://video.example.com/good.mp4']);
    expect(r.code).toBe(EXIT.problem);
    expect(r.out).toMatch(/^failed: 2 URL\(s\): 1 complete, 1 failed, after 3 min/);
    expect(r.out).toMatch(/FAILED\s+Origin Return StatusCode 5XX\s+\d+\s+http:\/\/video\.example\.com\/bad\.mp4/);
    expect(r.out).not.toContain('good.mp4');
  });

  it('exits 4 on --timeout when a URL hangs, naming what is unfinished and how to wait again', async () => {
    w.world.vod.fatePolicy = null;
    const started = w.world.clock.now();
    const r = await cli(['refresh', '--wait', '--timeout', '5m', 'http://video.example.com/stuck.mp4']);
    expect(r.code).toBe(EXIT.timeout);
    const taskId = w.world.vod.submissions[0]!.taskIds[0]!;
    expect(r.out).toMatch(/^timed out after [45] min( \d+ s)?: 1 URL\(s\): 0 complete, 1 unfinished/);
    expect(r.out).toMatch(new RegExp(`unfinished\\s+Refreshing 0%\\s+${taskId}\\s+http://video\\.example\\.com/stuck\\.mp4`));
    expect(r.out.split('\n')).toContain(`wait again: npx vod-refresh-monitor wait --task-id ${taskId} http://video.example.com/stuck.mp4`);
    expect(w.world.clock.now() - started).toBeLessThanOrEqual(5 * MIN);
  });

  it('--json on a timeout carries the wait-again command of the summary, for a pipeline to print', async () => {
    w.world.vod.fatePolicy = null;
    const r = await cli(['refresh', '--wait', '--json', '--timeout', '3m', 'http://video.example.com/stuck.mp4?v=2&x=1']);
    expect(r.code).toBe(EXIT.timeout);
    const taskId = w.world.vod.submissions[0]!.taskIds[0]!;
    const doc = JSON.parse(r.out) as { waitAgain: unknown };
    expect(doc.waitAgain).toBe(`npx vod-refresh-monitor wait --task-id ${taskId} 'http://video.example.com/stuck.mp4?v=2&x=1'`);
  });

  it('refreshes directories with --type directory, and preloads with preload --wait', async () => {
    const dir = await cli(['refresh', '--type', 'directory', '--wait', 'http://video.example.com/series/x/']);
    expect(dir.code).toBe(EXIT.ok);
    expect(w.world.vod.submissions[0]).toMatchObject({ objectType: 'directory' });
    expect(w.world.vod.stats.log.find((p) => p.Action === 'RefreshVodObjectCaches')).toMatchObject({ ObjectType: 'Directory' });
    const pre = await cli(['preload', '--wait', '--area', 'overseas', 'http://video.example.com/p.m3u8']);
    expect(pre.code).toBe(EXIT.ok);
    expect(w.world.vod.stats.log.find((p) => p.Action === 'PreloadVodObjectCaches')).toMatchObject({ Area: 'overseas' });
  });

  it('without --wait prints the task ids and waits for nothing', async () => {
    const r = await cli(['refresh', '--json', 'http://video.example.com/a.mp4']);
    expect(r.code).toBe(EXIT.ok);
    expect(JSON.parse(r.out)).toEqual({
      action: 'RefreshVodObjectCaches',
      objectType: 'file',
      urls: 1,
      calls: 1,
      taskIds: w.world.vod.submissions[0]!.taskIds,
    });
    expect(describes()).toHaveLength(0);
  });

  it('exits 3 when the API refuses the submission, saying what to do', async () => {
    w.world.vod.quota.url = 0;
    const r = await cli(['refresh', '--wait', 'http://video.example.com/a.mp4']);
    expect(r.code).toBe(EXIT.remote);
    expect(r.err).toMatch(/RefreshVodObjectCaches was refused for URL 1: QuotaExceeded\.Refresh[\s\S]*fix: today's refresh quota is spent/);
    expect(describes()).toHaveLength(0);
  });
});

describe('wait', () => {
  it('follows a merged task id URL by URL: 200 URLs, 5 failing, each failure listed; the listing shrinks to exact lookups', async () => {
    const { taskId, urls } = mergedBatch(200, (i) =>
      i % 40 === 7
        ? { afterMs: 2 * MIN, Status: 'Failed', Description: 'Origin Timeout' }
        : { afterMs: (i >= 197 ? 12 : 3 + (i % 5)) * MIN, Status: 'Complete' },
    );
    const times = describeTimes();
    const r = await cli(['wait', '--task-id', taskId, '--json']);
    expect(r.code).toBe(EXIT.problem);
    const doc = JSON.parse(r.out) as {
      outcome: string;
      counts: Record<string, number>;
      urls: Array<{ url: string; state: string; description: string | null }>;
    };
    expect(doc.outcome).toBe('failed');
    expect(doc.counts).toEqual({ total: 200, complete: 195, failed: 5, unfinished: 0, 'not-found': 0 });
    expect(doc.urls.filter((u) => u.state === 'failed').map((u) => [u.url, u.description])).toEqual(
      [7, 47, 87, 127, 167].map((i) => [urls[i], 'Origin Timeout']),
    );
    // Looks at a 4-page id list it whole while many URLs are unfinished, then only the few left (exact lookups).
    const calls = describes();
    expect(calls.filter((p) => p.TaskId === taskId && p.ObjectPath === undefined).length).toBeGreaterThanOrEqual(4);
    expect(calls.some((p) => p.TaskId === taskId && p.ObjectPath !== undefined)).toBe(true);
    expect(calls.every((p) => p.TaskId === taskId)).toBe(true);
    // A look costs at most the id's 4 pages (and the 5th the reader reads after a full last page), then 3 exact lookups.
    const looks: number[][] = [];
    for (const t of times) {
      if (looks.length && t - looks.at(-1)!.at(-1)! < 5000) looks.at(-1)!.push(t);
      else looks.push([t]);
    }
    expect(Math.max(...looks.map((l) => l.length))).toBeLessThanOrEqual(5);

    expect(looks.at(-1)).toHaveLength(3);
  });

  it('asks at most 2 times a second though VOD_REQUESTS_PER_SECOND allows 100: the deployed monitor keeps its share', async () => {
    // One call in flight at a time, so that the clock the simulator stamps arrivals with is the one the pacer slept on.
    const { taskId } = mergedBatch(100, () => ({ afterMs: 0, Status: 'Complete' }));
    const times = describeTimes();
    const r = await cli(['wait', '--task-id', taskId], { env: { VOD_CONCURRENCY: '1' } });
    expect(r.code).toBe(EXIT.ok);
    expect(times).toHaveLength(3);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(500);
  });

  it('waits for a URL alone by its newest task: an older failure of the same URL does not count', async () => {
    const url = 'http://vod.example.cn/re-done.mp4';
    w.world.fail(url, 20 * MIN);
    w.world.vod.store.submit({ urls: [url], kind: 'file', atMs: w.world.clock.now(), fate: () => ({ afterMs: MIN, Status: 'Complete' }) });
    const r = await cli(['wait', url]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toMatch(/^complete: 1 URL\(s\): 1 complete/);
  });

  it('says NOT FOUND (exit 1) for a task id the API does not list, after a grace of 2 minutes', async () => {
    const started = w.world.clock.now();
    const r = await cli(['wait', '--task-id', '987654321']);
    expect(r.code).toBe(EXIT.problem);
    expect(r.out).toMatch(/NOT FOUND\s+no row for this task id\s+987654321/);
    expect(w.world.clock.now() - started).toBeGreaterThanOrEqual(2 * MIN);
  });

  it('with --fail-fast ends at the first failure though other URLs are still unfinished; without it a failure beats the timeout', async () => {
    const { taskId } = mergedBatch(3, (i) => (i === 0 ? { afterMs: MIN, Status: 'Failed', Description: 'Internal Error' } : null));
    const fast = await cli(['wait', '--task-id', taskId, '--fail-fast']);
    expect(fast.code).toBe(EXIT.problem);
    expect(fast.out).toMatch(/^failed: 3 URL\(s\): 0 complete, 1 failed, 2 unfinished, after 1 min \d+ s \(--fail-fast: ended at the first failure\)$/m);
    const slow = await cli(['wait', '--task-id', taskId, '--timeout', '3m']);
    expect(slow.code).toBe(EXIT.problem);
    expect(slow.out).toMatch(/^failed: .* \(--timeout reached\)$/m);
    expect(slow.out).toMatch(/unfinished\s+Refreshing 0%/);
  });

  it('exits 3 when the API refuses the account, and 3 when it cannot be reached after the retries', async () => {
    const { taskId } = mergedBatch(1, () => ({ afterMs: MIN, Status: 'Complete' }));
    w.world.vod.accounts.find((a) => a.accessKeyId === FC_CREDENTIALS.accessKeyId)!.state = 'suspended';
    const refused = await cli(['wait', '--task-id', taskId]);
    expect(refused.code).toBe(EXIT.remote);
    expect(refused.out).toMatch(/the VOD API could not be read \(OperationDenied\.Suspended[\s\S]*fix: the account is in arrears/);
    const down = await cli(['wait', '--task-id', taskId, '--json'], { env: { VOD_ENDPOINT: `http://127.0.0.1:${await closedPort()}` } });
    expect(down.code).toBe(EXIT.remote);
    expect(JSON.parse(down.out)).toMatchObject({ outcome: 'unreadable', exitCode: 3, error: { code: 'ECONNREFUSED' } });
  });

  it('--json prints one document with every URL, its Status and Description', async () => {
    const { taskId, urls } = mergedBatch(2, (i) =>
      i === 0 ? { afterMs: MIN, Status: 'Failed', Description: 'Origin Timeout' } : { afterMs: MIN, Status: 'Complete' },
    );
    const r = await cli(['wait', '--task-id', taskId, '--json'], { terminal: false });
    const doc = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual([
      'outcome',
      'exitCode',
      'endedBy',
      'startedAt',
      'endedAt',
      'elapsedSeconds',
      'taskIds',
      'waitAgain',
      'counts',
      'urls',
      'error',
    ]);
    expect(doc).toMatchObject({ outcome: 'failed', exitCode: 1, endedBy: 'rows', taskIds: [taskId], waitAgain: null, error: null });
    expect(doc.urls).toEqual([
      { taskId, url: urls[0], state: 'failed', status: 'Failed', objectType: 'file', process: '0%', description: 'Origin Timeout' },
      { taskId, url: urls[1], state: 'complete', status: 'Complete', objectType: 'file', process: '100%', description: null },
    ]);
    expect(doc.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('is quiet in a pipe (the summary only), and keeps one updating line on a terminal', async () => {
    const { taskId } = mergedBatch(2, () => ({ afterMs: 2 * MIN, Status: 'Complete' }));
    const piped = await cli(['wait', '--task-id', taskId]);
    expect(piped.code).toBe(EXIT.ok);
    expect(piped.err).toBe('');
    expect(piped.out.split('\n')).toHaveLength(1);
    const { taskId: again } = mergedBatch(2, () => ({ afterMs: 2 * MIN, Status: 'Complete' }));
    const tty = await cli(['wait', '--task-id', again], { terminal: true });
    expect(tty.code).toBe(EXIT.ok);
    expect(tty.err).toBe('');
    const frames = tty.term.split('\r\x1b[2K').filter(Boolean);
    expect(frames.length).toBeGreaterThan(2);
    expect(frames[0]).toMatch(/^waiting 0 s: 2 URL\(s\): 0 complete, 2 unfinished; next look in 10 s$/);
    expect(tty.term.endsWith('\r\x1b[2K')).toBe(true);
    expect(tty.term).not.toContain('\n');
  });

  it.each<[string, string[], RegExp, Env?]>([
    ['an unknown flag', ['wait', '--task-id', '1', '--colour'], /unknown option '--colour'/],
    ['a task id that is not digits', ['wait', '--task-id', '12a'], /--task-id "12a" is not a task id; use the digits/],
    [
      'a URL that is not http(s)',
      ['wait', 'ftp://video.example.com/a.mp4'],
      /URL "ftp:\/\/video.example.com\/a.mp4" is not a URL; use the full http:\/\/ or https:\/\//,
    ],
    [
      'a --timeout that is not a duration',
      ['wait', '--task-id', '1', '--timeout', 'soon'],
      /--timeout "soon" is not a duration; use e\.g\. 90s, 30m, 2h or 1h30m/,
    ],
    ['a bare number as --timeout', ['wait', '--task-id', '1', '--timeout', '30'], /--timeout "30" is not a duration/],
    ['a --timeout over a day', ['wait', '--task-id', '1', '--timeout', '25h'], /--timeout 25h is out of range; use from 1 s to 24 h/],
    ['nothing to wait for', ['wait'], /nothing to wait for: give --task-id/],
    [
      'a directory without its /',
      ['refresh', '--type', 'directory', 'http://video.example.com/series'],
      /--type directory takes directories, which end with \//,
    ],
    ['refresh without a URL', ['refresh', '--wait'], /no URL given/],
    ['a bad VOD variable', ['wait', '--task-id', '1'], /VOD_CONCURRENCY: "lots" is not accepted/, { VOD_CONCURRENCY: 'lots' }],
    ['a VOD variable misspelt', ['wait', '--task-id', '1'], /VOD_CONCURENCY: unknown variable; did you mean VOD_CONCURRENCY\?/, { VOD_CONCURENCY: '2' }],
  ])('exits 2 on %s, before any call', async (_why, argv, message, env = {}) => {
    const r = await cli(argv, { env });
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toMatch(message);
    expect(w.world.vod.stats.requests).toBe(0);
  });

  it('never prints the key secret or the STS token, on any path, logs included', async () => {
    const { taskId } = mergedBatch(2, (i) => (i ? { afterMs: MIN, Status: 'Failed' } : { afterMs: MIN, Status: 'Complete' }));
    const runs = [
      await cli(['wait', '--task-id', taskId, '--verbose']),
      await cli(['wait', '--task-id', taskId, '--verbose', '--json'], { env: { ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wrong-secret-value-1a2b' } }),
      await cli(['refresh', '--wait', '--verbose', 'http://video.example.com/s.mp4'], { terminal: true }),
      await cli(['wait', '--task-id', taskId, '--verbose'], { env: { VOD_ENDPOINT: `http://127.0.0.1:${await closedPort()}` } }),
    ];
    expect(runs.map((r) => r.code)).toEqual([EXIT.problem, EXIT.remote, EXIT.ok, EXIT.remote]);
    for (const r of runs)
      for (const secret of [FC_CREDENTIALS.accessKeySecret, FC_CREDENTIALS.securityToken, 'wrong-secret-value-1a2b'])
        expect(`${r.out}${r.err}${r.term}`).not.toContain(secret);
  });

  it('needs no alert channel: a pipeline sets only the VOD key', async () => {
    const { taskId } = mergedBatch(1, () => ({ afterMs: MIN, Status: 'Complete' }));
    const r = await cli(['wait', '--task-id', taskId], { env: { DINGTALK_WEBHOOK: undefined, DINGTALK_SECRET: undefined, STATE_FILE: undefined } });
    expect(r.code).toBe(EXIT.ok);
  });
});
