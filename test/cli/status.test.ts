import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT } from '../../lib/cli/main';
import { type CliWorld, startCliWorld } from './world';

const MIN = 60_000;
let w: CliWorld;
beforeEach(async () => {
  w = await startCliWorld();
});
afterEach(async () => {
  await w.close();
});

describe('status: the deployed monitor, from the Function Compute API', () => {
  it('reads the function, its timers, its failure handler, where failed runs go, and the state through a read-only invocation', async () => {
    w.world.fail('http://video.example.com/a.mp4');
    await w.world.run();
    const file = readFileSync(w.world.stateFile, 'utf8');
    const mtime = statSync(w.world.stateFile).mtimeMs;
    w.world.clock.advance(3 * MIN);
    const r = await w.cli(['status']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain('deployed monitor vod-refresh-monitor (Function Compute 3.0 API, 127.0.0.1:');
    expect(r.out).toMatch(/ok {4}function vod-refresh-monitor: Active, nodejs20, index\.handler, 128 MB, timeout 120 s, last modified .* UTC\+8/);
    expect(r.out).toContain('ok    timer every-5-minutes: enabled, CRON_TZ=Asia/Shanghai 0 */5 * * * *');
    expect(r.out).toMatch(/ok {4}failure handler vod-refresh-monitor-watchdog: Active/);
    expect(r.out).toContain('ok    failed runs go to acs:fc:cn-shanghai:1234567890123456:functions/vod-refresh-monitor-watchdog after 1 retry');
    expect(r.out).toContain(`state as the deployed function sees it (${w.world.stateFile})`);
    expect(r.out).toMatch(/ok {4}last good run .* UTC\+8 \(3 min ago\) \(BLIND_AFTER_MINUTES is 15\)/);
    expect(r.out).toMatch(/Time \(UTC\+8\)\s+Status\s+Read\s+API calls\s+New failures\s+Alerts waiting\s+Duration/);
    expect(r.out).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+ok\s+complete\s+\d+\s+1\s+0\s+\d+ ms/);
    expect(w.fc.requests.map((q) => `${q.method} ${q.path}`).sort()).toEqual([
      'GET /2023-03-30/functions/vod-refresh-monitor',
      'GET /2023-03-30/functions/vod-refresh-monitor-watchdog',
      'GET /2023-03-30/functions/vod-refresh-monitor/async-invoke-config',
      'GET /2023-03-30/functions/vod-refresh-monitor/triggers',
      'POST /2023-03-30/functions/vod-refresh-monitor-watchdog/invocations',
      'POST /2023-03-30/functions/vod-refresh-monitor/invocations',
    ]);
    const invoked = w.fc.requests.find((q) => q.method === 'POST' && q.path.endsWith('/vod-refresh-monitor/invocations'))!;
    const event = JSON.parse(invoked.body!) as Record<string, unknown>;
    expect(event).not.toHaveProperty('triggerTime');
    expect(JSON.parse(event.payload as string)).toEqual({ status: true, dryRun: true });
    expect(readFileSync(w.world.stateFile, 'utf8')).toBe(file);
    expect(statSync(w.world.stateFile).mtimeMs).toBe(mtime);
  });

  it('shows alerts waiting for delivery, and their age', async () => {
    w.world.fail('http://video.example.com/a.mp4');
    w.world.ding.faults.push({ kind: 'errcode', errcode: 130101 });
    await w.world.run();
    w.world.clock.advance(10 * MIN);
    const r = await w.cli(['status']);
    expect(r.out).toMatch(/WARN {2}1 alert\(s\) wait for delivery, the oldest for 10 min\n {8}fix: `npx vod-refresh-monitor test-alert`/);
    expect(r.code).toBe(EXIT.ok);
  });

  it("never presents this machine's state file as the deployed state", async () => {
    await w.world.run();
    w.deploy({ STATE_FILE: path.join(w.world.dir, 'deployed', 'state.json') });
    w.fc.functions.get('vod-refresh-monitor')!.lastModifiedTime = new Date(w.world.clock.now() - 2 * 3600_000).toISOString();
    const r = await w.cli(['status']);
    expect(r.code).toBe(EXIT.problem);
    expect(r.out).toContain('FAIL  no state yet: the deployed monitor has never completed a run');
    expect(r.out).not.toContain(w.world.stateFile);
  });

  it('warns when the failure handler or the onFailure destination is missing', async () => {
    await w.world.run();
    w.fc.functions.delete('vod-refresh-monitor-watchdog');
    delete w.fc.functions.get('vod-refresh-monitor')!.asyncInvokeConfig;
    const r = await w.cli(['status']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain('WARN  no failure handler vod-refresh-monitor-watchdog: a run that crashes or times out tells nobody');
    expect(r.out).toContain('WARN  no onFailure destination in the async invoke config: failed runs tell nobody');
  });

  it('says so when the deployed build predates status (it answers a dry-run report)', async () => {
    w.fc.functions.get('vod-refresh-monitor')!.invoke = async () => ({ status: 'ok', dryRun: true, read: {}, alerts: {} });
    const r = await w.cli(['status']);
    expect(r.code).toBe(EXIT.problem);
    expect(r.out).toContain('the deployed build predates `status` (it answered with a dry run): deploy the current build');
  });

  it('shows the deployed cadence, what it leaves each run, and warns when the timer fires at another period', async () => {
    await w.world.run();
    w.deploy({ MONITOR_EVERY_MINUTES: '1' });
    const trigger = w.fc.functions.get('vod-refresh-monitor')!.triggers[0]!;
    trigger.triggerConfig = JSON.stringify({ cronExpression: 'CRON_TZ=Asia/Shanghai 0 */1 * * * *', enable: true });
    const agreed = await w.cli(['status']);
    expect(agreed.out).toContain('ok    cadence: every 1 min (MONITOR_EVERY_MINUTES=1); each run ends within 45 s, and the timer fires at that period');
    expect(agreed.out).toMatch(/last good run .* \(BLIND_AFTER_MINUTES is 3\)/);
    trigger.triggerConfig = JSON.stringify({ cronExpression: 'CRON_TZ=Asia/Shanghai 0 */5 * * * *', enable: true });
    const off = await w.cli(['status']);
    expect(off.out).toMatch(
      /WARN {2}cadence: every 1 min \(MONITOR_EVERY_MINUTES=1\); each run ends within 45 s, but timer every-5-minutes fires every 5 min: .*\n {8}fix: s deploy again/,
    );
    expect(JSON.parse((await w.cli(['status', '--json'])).out)).toMatchObject({ everyMinutes: 1, blindAfterMinutes: 3 });
  });

  it("--json holds what was learnt, never the function's environment", async () => {
    await w.world.run();
    w.deploy({ DINGTALK_SECRET: 'SECdeployed-only-secret-0123456789' });
    const r = await w.cli(['status', '--json']);
    expect(r.code).toBe(EXIT.ok);
    const json = JSON.parse(r.out) as Record<string, unknown>;
    expect(json).toMatchObject({ function: { name: 'vod-refresh-monitor', state: 'Active' }, exitCode: 0, state: { kind: 'summary' } });
    expect(r.out).not.toContain('environment');
    expect(r.out).not.toContain('SECdeployed-only-secret');
  });

  it('shows what the heartbeat shows, as the watchdog sees it: last good run, last run, and no outage', async () => {
    await w.world.run();
    w.world.clock.advance(3 * MIN);
    const r = await w.cli(['status']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain('the heartbeat, as the watchdog vod-refresh-monitor-watchdog sees it');
    expect(r.out).toMatch(/ok {4}last good run .* UTC\+8 \(3 min ago\) \(one that read the API and could deliver\)/);
    expect(r.out).toMatch(/ok {4}last run .* UTC\+8 \(3 min ago\): ok/);
    expect(r.out).toContain('ok    the watchdog raises nothing: it would after 15 min without a good run (runs every 5 min)');
  });

  it('shows the outage the watchdog raises, its cause and its fix, and fails', async () => {
    await w.world.run();
    w.world.clock.advance(5 * MIN);
    const since = w.world.clock.now();
    for (let i = 0; i < 4; i++) {
      w.world.clock.advance(5 * MIN);
      // A live run elsewhere keeps the lock: never past its expiry when a run looks.
      writeFileSync(
        `${w.world.stateFile}.lock`,
        JSON.stringify({ token: 't', host: 'fc-host-b', pid: 7, acquiredAtMs: since, expiresAtMs: w.world.clock.now() + 60_000 }),
      );
      await w.world.run();
    }
    const r = await w.cli(['status']);
    expect(r.code).toBe(EXIT.problem);
    expect(r.out).toMatch(/WARN {2}last run .*: skipped, not a good run: the state lock is held since .* by fc-host-b/);
    expect(r.out).toMatch(
      /FAIL {2}the watchdog is raising an outage, after 15 min without a good run \(runs every 5 min\): every run since .* was skipped by the state lock/,
    );
    expect(r.out).toContain('not told yet: its next tick tells on-call');
    expect(r.out).toMatch(/fix: if no monitor run is alive on fc-host-b, delete .*state\.json\.lock/);
    expect(w.world.ding.accepted.filter((m) => /No good monitor run/.test(m.body.markdown?.text ?? ''))).toHaveLength(0);
  });

  it('says so when the deployed watchdog predates the heartbeat', async () => {
    w.fc.functions.get('vod-refresh-monitor-watchdog')!.invoke = async () => {
      throw new Error('ValiError: Invalid key: Expected "requestContext"');
    };
    await w.world.run();
    const r = await w.cli(['status']);
    expect(r.out).toMatch(/WARN {2}the watchdog could not say what the heartbeat shows: the watchdog failed .*deploy the current build/);
  });
});
