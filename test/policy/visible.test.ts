import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT } from '../../lib/cli/main';
import { localTime } from '../../lib/time';
import { DEFAULT_ROBOT } from '../../sim/dingtalk/server';
import { type CliWorld, startCliWorld } from '../cli/world';

// What the alerting file does must be seen where people look: each run report and `status` list what each active
// mute holds; its summary names the end the file set; a refused file degrades the run (exit 1) and is named by
// `status` and `doctor`, while the environment's robot still takes every alert.

const MIN = 60_000;
let w: CliWorld;
beforeEach(async () => {
  w = await startCliWorld();
});
afterEach(async () => {
  await w.close();
});

/** Writes the alerting file and sets it (and its references) for the CLI, the world's runs and the deployed function. */
function alerting(lines: string[]): Record<string, string> {
  const file = path.join(w.world.dir, 'alerting.yaml');
  writeFileSync(file, lines.join('\n'));
  const env = { ALERTING_CONFIG: file, TEAM_WEBHOOK: w.world.ding.webhook(), TEAM_SECRET: DEFAULT_ROBOT.secret ?? '' };
  Object.assign(w.world.env, env);
  w.deploy(env);
  return env;
}

const TEAM = ['receivers:', '  - name: team', '    dingtalk:', '      webhook: ${TEAM_WEBHOOK}', '      secret: ${TEAM_SECRET}', '      keywords: [VOD]'];

describe('a mute shows', () => {
  it('in each run report and in `status` (name, receiver, count, until), and its summary names the configured end and the commands for what it held', async () => {
    const untilMs = Math.ceil((w.world.clock.now() + 20 * MIN) / 1000) * 1000;
    const until = new Date(untilMs).toISOString();
    alerting([...TEAM, 'route:', '  receiver: team', 'mutes:', '  - name: cn-migration', "    match: { domain: ['img.example.cn'] }", `    until: '${until}'`]);
    await w.world.run();
    w.world.clock.advance(5 * MIN);
    w.world.vod.store.add({
      ObjectPath: 'https://img.example.cn/promo/launch.mp4',
      ObjectType: 'preload',
      creationMs: w.world.clock.now() - MIN,
      Status: 'Failed',
      Description: 'Origin Timeout',
    });
    const report = await w.world.run();
    expect(report.policy).toEqual({
      alertingProblem: null,
      heldThisRun: 1,
      mutes: [{ mute: 'cn-migration', receiver: 'team', count: 1, reason: null, since: expect.any(String), until: until.replace('.000Z', 'Z') }],
    });
    expect(w.world.ding.accepted).toHaveLength(0);

    const status = await w.cli(['status']);
    expect(status.code).toBe(EXIT.ok);
    expect(status.out).toContain(`mute cn-migration holds 1 alert(s) for team since`);
    expect(status.out).toContain(`until ${localTime(untilMs)}; a summary follows then`);

    // The run that sees the end comes 3 min after it: the summary says when the mute ended, not when it was seen.
    w.world.clock.advance(untilMs - w.world.clock.now() + 3 * MIN);
    const after = await w.world.run();
    expect(after.policy).toMatchObject({ heldThisRun: 0, mutes: [] });
    const summary = w.world.texts().find((t) => t.includes('Muted by cn-migration'))!;
    expect(summary).toContain(`1 alert(s) held back, from `);
    expect(summary).toContain(`to the end of the mute at ${localTime(untilMs)}`);
    expect(summary).toMatch(/`npx vod-refresh-monitor tasks --status Failed --type preload --domain img\.example\.cn --since \S+\+08:00`/);
    expect(summary).not.toContain('--type file');
  });
});

describe('a refused alerting file shows', () => {
  const BROKEN = [
    'receivers:',
    '  - name: a',
    '    dingtalk: { webhook: "https://oapi.dingtalk.com/robot/send?access_token=leaked" }',
    'route: { receiver: a }',
  ];

  it('degrades `run` and `invoke` (exit 1), is named by `status` and `doctor`, and the environment robot still takes the alerts', async () => {
    const env = alerting(BROKEN);
    const f = w.world.fail('http://video.example.com/x.mp4');

    const run = await w.cli(['run'], env);
    expect(run.code).toBe(EXIT.problem);
    expect(run.out).toContain('status: degraded');
    expect(run.out).toMatch(
      /alerting file refused, every alert went to the environment's robot: ALERTING_CONFIG \(.*\): receivers\.0\.dingtalk\.webhook: must be a \$\{VARIABLE\} reference/,
    );
    expect(w.world.listed()).toEqual([f]);

    const json = await w.cli(['run', '--json'], env);
    expect(JSON.parse(json.out)).toMatchObject({ status: 'degraded', policy: { alertingProblem: expect.stringContaining('must be a ${VARIABLE} reference') } });
    expect(json.code).toBe(EXIT.problem);

    const invoke = await w.cli(['invoke']);
    expect(invoke.out).toContain('status: degraded (dry run');
    expect(invoke.code).toBe(EXIT.problem);

    await w.world.run();
    const status = await w.cli(['status']);
    expect(status.code).toBe(EXIT.problem);
    expect(status.out).toMatch(/FAIL {2}the last run refused the alerting file \(refused since .*\): every alert goes to the environment's robot/);
    expect(status.out).toContain('receivers.0.dingtalk.webhook: must be a ${VARIABLE} reference');

    const doctor = await w.cli(['doctor'], env);
    expect(doctor.out).toMatch(/FAIL {2}ALERTING_CONFIG \(.*\): receivers\.0\.dingtalk\.webhook: must be a \$\{VARIABLE\} reference/);
    // The robot that takes the alerts meanwhile is checked, and takes a check message.
    expect(doctor.out).toContain('alert channel: DingTalk');
    expect(doctor.out).toContain('the robot accepted a check message');
    expect(doctor.out).toContain('the last run refused the alerting file');
    for (const r of [run, json, invoke, status, doctor]) expect(r.out + r.err).not.toContain('leaked');
  });
});
