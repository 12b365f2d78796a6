// `local` on demand: each key's action, against the simulators and the built monitor, on one movable clock, shows
// the alert it is for (a failure, a stuck URL, a recovery, a merged batch, routing and a mute) at the next run.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type LocalWorld, startLocal } from '../../lib/cli/local/world';
import { type CliIo, EXIT, main } from '../../lib/cli/main';
import type { RunReport } from '../../lib/monitor/types';
import { movableClock } from '../helpers/world';

const ROOT = path.resolve(__dirname, '../..');
const S_YAML = readFileSync(path.join(ROOT, 's.yaml'), 'utf8');
const MIN = 60_000;

let world: LocalWorld;
let logs: string[];
let clock: ReturnType<typeof movableClock>;

async function start(alerting = false, env: Record<string, string> = {}) {
  clock = movableClock();
  logs = [];
  world = await startLocal({ bundlePath: path.join(ROOT, 'dist/index.js'), sYaml: S_YAML, rows: 10, alerting, env, log: (l) => logs.push(l), now: clock.now });
  // The first run settles the seeded history (its merged batch with failures is alerted here, not below).
  await world.tick();
  clock.advance(5 * MIN);
  logs.length = 0;
}

/** The next timer run, after `ms`; its report, and the robot receipts it caused. */
async function runAfter(ms = MIN): Promise<{ report: RunReport; robots: string[] }> {
  clock.advance(ms);
  logs.length = 0;
  const report = (await world.tick()) as RunReport;
  return { report, robots: logs.filter((l) => l.startsWith('robot ')) };
}

describe('local on demand', () => {
  afterEach(async () => {
    await world.close();
  });

  it('f fails a URL now: the next run alerts it', async () => {
    await start();
    expect(world.actions.fail()).toMatch(
      /^failed now: http:\/\/video\.example\.com\/demo\/fail-1\.mp4 \(TaskId \d+, Origin Timeout\); the next run alerts it$/,
    );
    const { report, robots } = await runAfter();
    expect(report.failures.new).toBe(1);
    expect(report.alerts.delivered).toBeGreaterThanOrEqual(1);
    expect(robots).toHaveLength(1);
  });

  it('h hangs a URL: told stuck once older than STUCK_AFTER_MINUTES (2 here), not before', async () => {
    await start();
    expect(world.stuckAfterMinutes).toBe(2);
    expect(world.actions.hang()).toMatch(/^hanging: .*hang-1\.mp4 \(TaskId \d+\) stays Refreshing; told stuck once older than 2 min/);
    expect((await runAfter(MIN)).report.stuck).toBe(0);
    const { report, robots } = await runAfter(2 * MIN);
    expect(report.stuck).toBe(1);
    expect(robots).toHaveLength(1);
  });

  it('r recovers the last failure: the run after it says recovered', async () => {
    await start();
    expect(world.actions.recover()).toMatch(/^nothing to recover yet/);
    world.actions.fail();
    expect((await runAfter()).report.failures.new).toBe(1);
    expect(world.actions.recover()).toMatch(/^recovered now: http:\/\/video\.example\.com\/demo\/fail-1\.mp4 refreshed again/);
    const { report } = await runAfter();
    expect(report.recovered).toBe(1);
  });

  it('m submits a merged batch: one task id, 3 of its 40 URLs fail 20 s later', async () => {
    await start();
    expect(world.actions.merged()).toMatch(/^merged batch: 40 URLs under one TaskId \d+; 3 fail in 20 s/);
    const { report } = await runAfter(30_000);
    expect(report.failures.new).toBe(3);
  });

  it('with --alerting, routes by domain to two robots, and the mute holds media.example.net', async () => {
    await start(true);
    expect(world.alertingFile).toMatch(/alerting\.yaml$/);
    world.actions.fail();
    const video = await runAfter();
    expect(video.robots).toEqual([expect.stringMatching(/^robot video-team received: /)]);
    world.actions.fail();
    const cn = await runAfter();
    expect(cn.robots).toEqual([expect.stringMatching(/^robot ops received: /)]);
    world.actions.fail();
    const muted = await runAfter();
    // Decided as a new failure, and held by the mute: no message.
    expect(muted.report.verdicts['new-failure']).toBe(1);
    expect(muted.report.alerts.messagesSent).toBe(0);
    expect(muted.robots).toEqual([]);
    // When the 10-minute mute ends, what it held is summed up in one message to ops.
    const after = await runAfter(12 * MIN);
    expect(after.robots).toEqual([expect.stringMatching(/^robot ops received: /)]);
  });

  it('runs every timer of s.yaml, and takes the monitor by its handler when the watchdog has a timer too', async () => {
    const watchdogTimer = [
      '      triggers:',
      '        - triggerName: watchdog-timer',
      '          triggerType: timer',
      '          triggerConfig:',
      '            cronExpression: CRON_TZ=Asia/Shanghai 0 */10 * * * *',
      '            enable: true',
      "            payload: '{}'",
    ].join('\n');
    // The watchdog is listed first in s.yaml: a timer of its own must not make it the monitor (added when s.yaml has none).
    const sYaml = S_YAML.includes('watchdog-timer')
      ? S_YAML
      : S_YAML.replace(/(\n {6}asyncInvokeConfig:\n {8}maxAsyncRetryAttempts: 0\n)/, `$1${watchdogTimer}\n`);
    expect(sYaml).toContain('watchdog-timer');
    clock = movableClock();
    world = await startLocal({ bundlePath: path.join(ROOT, 'dist/index.js'), sYaml, rows: 10, env: {}, log: () => undefined, now: clock.now });
    expect(world.monitor.functionName).toBe('vod-refresh-monitor');
    expect(world.timers.map((t) => [t.functionName, t.timer.triggerName, t.timer.cronExpression])).toEqual([
      ['vod-refresh-monitor-watchdog', 'watchdog-timer', 'CRON_TZ=Asia/Shanghai 0 */10 * * * *'],
      ['vod-refresh-monitor', 'monitor-timer', 'CRON_TZ=Asia/Shanghai 0 */5 * * * *'],
    ]);
  });

  it('deploys the monitor with the memory, timeout and timer of s.yaml, MONITOR_EVERY_MINUTES followed', async () => {
    await start(false, { MONITOR_EVERY_MINUTES: '1' });
    expect(world.monitor).toMatchObject({ memorySize: 256, timeout: 120, timer: { cronExpression: 'CRON_TZ=Asia/Shanghai 0 */1 * * * *', enable: true } });
    expect(world.exports).toEqual(expect.arrayContaining([['MONITOR_EVERY_MINUTES', '1']]));
  });
});

describe('the local command', () => {
  it('takes keys at its terminal, says what each did on stderr, keeps stdout shell, and q stops it with 0', async () => {
    const out: string[] = [];
    const err: string[] = [];
    let typed: (key: string) => void = () => undefined;
    let listening = false;
    const stopped = new Promise<void>((resolve) => {
      const io: CliIo = {
        stdout: (s) => out.push(s),
        stderr: (s) => {
          err.push(s);
          if (s.startsWith('local: run:')) typed('q');
          if (s.startsWith('local: failed now')) typed('t');
        },
        env: {},
        now: Date.now,
        keys: (onKey) => {
          typed = onKey;
          listening = true;
          setImmediate(() => onKey('f'));
          return () => {
            listening = false;
          };
        },
      };
      void main(['local', '--rows', '10'], io).then((code) => {
        expect(code).toBe(EXIT.ok);
        resolve();
      });
    });
    await stopped;
    expect(listening).toBe(false);
    expect(out.filter(Boolean).every((l) => /^(#|export |unset )/.test(l))).toBe(true);
    expect(out.join('\n')).toMatch(/# "deployed" function vod-refresh-monitor \(256 MB, 120 s, as s\.yaml deploys it\)/);
    expect(out.join('\n')).toMatch(
      /# Its timer monitor-timer fires on the marks of CRON_TZ=Asia\/Shanghai 0 \*\/5 \* \* \* \* \(next: .*:[0-5][05]:00 UTC\+8\)/,
    );
    expect(out.join('\n')).toContain('# Keys, typed here: f fail a new URL now');
    expect(err.join('\n')).toMatch(/local: failed now: http:\/\/video\.example\.com\/demo\/fail-1\.mp4[\s\S]*local: run: ok, 1 new failure\(s\)/);
    expect(err.at(-1)).toBe('local: the simulators are stopped');
  });
});
