import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT, main, type CliIo } from '../../lib/cli/main';
import type { RunReport } from '../../lib/monitor';
import { startFcSim, type FcSim } from '../../sim/fc/server';
import { startWorld, FC_CREDENTIALS } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
let fc: FcSim | undefined;

afterEach(async () => {
  await world?.close();
  await fc?.close();
  fc = undefined;
});

function io(extra: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const env = { ...world.env, ALIBABA_CLOUD_ACCESS_KEY_ID: FC_CREDENTIALS.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: FC_CREDENTIALS.accessKeySecret, ALIBABA_CLOUD_SECURITY_TOKEN: FC_CREDENTIALS.securityToken, ...extra };
  const cli: CliIo = {
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    env,
    now: world.clock.now,
    handlerFactory: (e) => world.built.createHandler({ env: e, now: world.clock.now, logDestination: world.sink.stream }) as unknown as (ev: unknown, c: unknown) => Promise<RunReport>,
  };
  return { cli, out: () => out.join('\n'), err: () => err.join('\n') };
}

function seedFailures(n: number) {
  const now = world.clock.now();
  return Array.from({ length: n }, (_, i) => world.vod.store.add({ ObjectPath: `http://video.example.com/cli/${i}.mp4`, creationMs: now - (i + 1) * MIN, Status: 'Failed', Description: 'Origin Timeout' }));
}

describe('vod-refresh-monitor CLI', () => {
  beforeEach(async () => {
    world = await startWorld();
  });

  it('run --dry-run prints the alert it would send and sends nothing', async () => {
    seedFailures(2);
    const t = io();
    expect(await main(['run', '--dry-run'], t.cli)).toBe(EXIT.ok);
    expect(t.out()).toContain('dry run: nothing sent');
    expect(t.out()).toContain('--- would send ---');
    expect(t.out()).toContain('-- Origin Timeout: 2 failed');
    expect(world.ding.accepted).toHaveLength(0);
  });

  it('run sends the alert and reports it as JSON', async () => {
    seedFailures(1);
    const t = io();
    expect(await main(['run', '--json'], t.cli)).toBe(EXIT.ok);
    expect(JSON.parse(t.out())).toMatchObject({ status: 'ok', alerts: { messagesSent: 1 } });
    expect(world.ding.accepted).toHaveLength(1);
  });

  it('tasks lists a window as a table, filters client-side, shows progress for long scans', async () => {
    seedFailures(3);
    const now = world.clock.now();
    for (let i = 0; i < 120; i++) world.vod.store.add({ ObjectPath: `http://vod.example.cn/ok/${i}.mp4`, creationMs: now - 2 * 3600_000 + i * 1000 });
    const t = io();
    expect(await main(['tasks', '--since', '3h'], t.cli)).toBe(EXIT.ok);
    expect(t.out().split('\n')).toHaveLength(2 + 123);
    expect(t.err()).toContain('read page 3 of 3');
    const f = io();
    expect(await main(['tasks', '--since', '3h', '--status', 'Failed', '--json'], f.cli)).toBe(EXIT.ok);
    expect((JSON.parse(f.out()) as unknown[]).length).toBe(3);
    const s = io();
    expect(await main(['tasks', '--since', '3h', '--type', 'file', '--status', 'Failed', '--domain', 'video.example.com', '--json'], s.cli)).toBe(EXIT.ok);
    expect((JSON.parse(s.out()) as unknown[]).length).toBe(3);
    expect(world.vod.stats.log.at(-1)).toMatchObject({ ObjectType: 'file', Status: 'Failed', DomainName: 'video.example.com' });
  });

  it.each([
    [['tasks', '--since', 'yesterday'], /not a duration/],
    [['tasks', '--status', 'Broken'], /Allowed choices/],
    [['nonsense'], /unknown command/],
  ])('refuses bad usage %j with exit 2', async (argv, message) => {
    const t = io();
    expect(await main(argv, t.cli)).toBe(EXIT.usage);
    expect(t.err()).toMatch(message);
  });

  it('test-alert: accepted, and explained in plain words when refused', async () => {
    const t = io();
    expect(await main(['test-alert'], t.cli)).toBe(EXIT.ok);
    expect(t.out()).toContain('accepted the test alert');
    expect(world.ding.accepted[0]!.body.markdown!.title).toContain('test alert');
    const wrong = io({ DINGTALK_SECRET: 'SECnot-the-robot-secret-at-all' });
    expect(await main(['test-alert'], wrong.cli)).toBe(EXIT.problem);
    expect(wrong.out()).toMatch(/signature does not match: DINGTALK_SECRET/);
    const noKeyword = io({ DINGTALK_KEYWORDS: '', MONITOR_NAME: 'Refresh watch', ALERT_HINT: 'Check the origin.' });
    expect(await main(['test-alert'], noKeyword.cli)).toBe(EXIT.problem);
    expect(noKeyword.out()).toMatch(/keyword/);
  });

  it('doctor: all checks pass on a healthy setup', async () => {
    await world.run();
    const t = io();
    expect(await main(['doctor'], t.cli)).toBe(EXIT.ok);
    expect(t.out()).toContain('All checks passed.');
    expect(t.out()).toContain('DescribeVodRefreshTasks answered');
    expect(t.out()).toContain('the robot accepted a check message');
  });

  it('doctor: says what is wrong and how to fix it', async () => {
    writeFileSync(world.stateFile, '{oops');
    const t = io({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wrong-secret-value', DINGTALK_SECRET: 'SECnot-the-robot-secret-at-all' });
    expect(await main(['doctor'], t.cli)).toBe(EXIT.problem);
    expect(t.out()).toMatch(/SignatureDoesNotMatch: .* check ALIBABA_CLOUD_ACCESS_KEY_SECRET/);
    expect(t.out()).toMatch(/signature does not match: DINGTALK_SECRET/);
    expect(t.out()).toMatch(/not JSON/);
    expect(t.out()).toContain('3 problem(s) found.');
    expect(t.out()).not.toContain('wrong-secret-value');
    const c = io({ VOD_CONCURRENCY: 'lots' });
    expect(await main(['doctor', '--no-send'], c.cli)).toBe(EXIT.usage);
    expect(c.out()).toContain('VOD_CONCURRENCY: "lots" is not accepted');
  });

  it('status and invoke reach the deployed function over the Function Compute 3.0 API', async () => {
    seedFailures(1);
    fc = await startFcSim({
      accounts: [FC_CREDENTIALS],
      functions: [
        {
          functionName: 'vod-refresh-monitor',
          runtime: 'nodejs20',
          handler: 'index.handler',
          memorySize: 128,
          timeout: 120,
          lastModifiedTime: '2026-11-28T01:00:00Z',
          triggers: [{ triggerName: 'every-5-minutes', triggerType: 'timer', triggerConfig: JSON.stringify({ cronExpression: 'CRON_TZ=Asia/Shanghai 0 */5 * * * *', enable: true, payload: '{}' }) }],
          invoke: (event, context) => world.built.createHandler({ env: world.env, now: world.clock.now, logDestination: world.sink.stream })(event, context),
        },
      ],
    });
    const t = io({ FC_ENDPOINT: fc.endpoint });
    expect(await main(['status'], t.cli)).toBe(EXIT.ok);
    expect(t.out()).toContain('timer every-5-minutes: enabled, CRON_TZ=Asia/Shanghai 0 */5 * * * *');
    const inv = io({ FC_ENDPOINT: fc.endpoint });
    expect(await main(['invoke'], inv.cli)).toBe(EXIT.ok);
    expect(inv.out()).toContain('dry run: nothing sent');
    expect(inv.out()).toContain('failures: 1 new');
    expect(world.ding.accepted).toHaveLength(0);
    expect(fc.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /2023-03-30/functions/vod-refresh-monitor',
      'GET /2023-03-30/functions/vod-refresh-monitor/triggers',
      'POST /2023-03-30/functions/vod-refresh-monitor/invocations',
    ]);
    const missing = io({ FC_ENDPOINT: fc.endpoint });
    expect(await main(['status', '--function', 'nope'], missing.cli)).toBe(EXIT.problem);
    expect(missing.out()).toContain('does not exist');
    const badKey = io({ FC_ENDPOINT: fc.endpoint, ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'not-the-secret' });
    expect(await main(['status'], badKey.cli)).toBe(EXIT.remote);
    expect(badKey.err()).toContain('SignatureDoesNotMatch');
  });
});

describe('the built CLI', () => {
  const cli = path.join(__dirname, '../../bin/vod-refresh-monitor.js');
  it.each(['run', 'tasks', 'test-alert', 'doctor', 'status', 'invoke'])('%s --help', (cmd) => {
    const out = execFileSync('node', [cli, cmd, '--help'], { encoding: 'utf8' });
    expect(out).toContain(`Usage: vod-refresh-monitor ${cmd}`);
  });
  it('exits 2 with help when given nothing', () => {
    const r = spawnSync('node', [cli], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Commands:');
  });
  it('exits 2 naming the variable on bad configuration', () => {
    const r = spawnSync('node', [cli, 'run'], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('DINGTALK_WEBHOOK: is required');
  });
});
