import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT } from '../../lib/cli/main';
import { type CliWorld, startCliWorld } from './world';

let w: CliWorld;
beforeEach(async () => {
  w = await startCliWorld();
});
afterEach(async () => {
  await w.close();
});

const snapshot = (dir: string) =>
  readdirSync(dir)
    .map((f) => `${f}:${statSync(path.join(dir, f)).mtimeMs}:${readFileSync(path.join(dir, f), 'utf8').length}`)
    .sort();

describe('doctor', () => {
  it("labels the state as THIS MACHINE's, points to status for the deployed one, and writes nothing but a probe", async () => {
    await w.world.run();
    const before = snapshot(w.world.dir);
    const r = await w.cli(['doctor', '--no-send']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain(`state on THIS MACHINE (STATE_FILE ${w.world.stateFile})`);
    expect(r.out).toContain("not the deployed function's: for the deployed monitor, run `npx vod-refresh-monitor status`");
    expect(r.out).toMatch(/ok {4}last run .* UTC\+8 \(under a minute ago\), ok; last good run .* UTC\+8/);
    expect(r.out).toContain('can be written (a probe file was created and removed)');
    expect(snapshot(w.world.dir)).toEqual(before);
  });

  it('never moves or rewrites a corrupt state file', async () => {
    writeFileSync(w.world.stateFile, '{oops');
    const before = snapshot(w.world.dir);
    const r = await w.cli(['doctor', '--no-send']);
    expect(r.code).toBe(EXIT.problem);
    expect(r.out).toMatch(/FAIL {2}the state file cannot be used: StateCorrupt: .*\n {8}fix: the next real `run` moves it aside/);
    expect(snapshot(w.world.dir)).toEqual(before);
  });

  it('fails when the state folder cannot be created, saying how to fix it', async () => {
    await w.world.run();
    const blocked = await w.cli(['doctor', '--no-send'], { STATE_FILE: path.join(w.world.stateFile, 'nested', 'state.json') });
    expect(blocked.code).toBe(EXIT.problem);
    expect(blocked.out).toMatch(/FAIL {2}cannot create the state folder: .* is a file, not a folder\n {8}fix: set STATE_FILE to a path this user can write/);
  });

  it('shows the cadence and the windows that follow it', async () => {
    const five = await w.cli(['doctor', '--no-send']);
    expect(five.out).toMatch(/ok {4}valid: dingtalk alerts, .* every 5 min \(MONITOR_EVERY_MINUTES\), stuck after 30 min, blind after 15 min/);
    const one = await w.cli(['doctor', '--no-send'], { MONITOR_EVERY_MINUTES: '1' });
    expect(one.out).toMatch(/ok {4}valid: dingtalk alerts, .* every 1 min \(MONITOR_EVERY_MINUTES\), stuck after 30 min, blind after 3 min/);
  });

  it('sends a check message labelled as a doctor check that rings nobody', async () => {
    const r = await w.cli(['doctor']);
    expect(r.code).toBe(EXIT.ok);
    const [m] = w.world.ding.accepted;
    expect(m!.body.markdown!.title).toBe('VOD refresh: doctor check, not an alert');
    expect(m!.body.at).toEqual({ atMobiles: [], atUserIds: [], isAtAll: false });
    expect(m!.body.markdown!.text).not.toContain('@');
    expect(r.out).toContain('real alerts ring @13800000000');
  });

  it('warns about a domain with no task in 3 days, from one count per type with DomainName and ObjectType', async () => {
    w.world.fail('http://video.example.com/a.mp4');
    const r = await w.cli(['doctor', '--no-send'], { VOD_DOMAINS: 'video.example.com,vidoe.example.com' });
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toMatch(/ok {4}video\.example\.com: 1 row\(s\) \(file 1, directory 0, preload 0\)/);
    expect(r.out).toMatch(
      /WARN {2}vidoe\.example\.com: no task in the last 3 days \(file 0, directory 0, preload 0\)\n {8}fix: check the spelling in VOD_DOMAINS/,
    );
    const counts = w.world.vod.stats.log.filter((p) => p.DomainName === 'vidoe.example.com');
    expect(counts.map((p) => [p.ObjectType, p.PageSize])).toEqual([
      ['file', '1'],
      ['directory', '1'],
      ['preload', '1'],
    ]);
    expect(r.out).toContain('No check failed; see the warnings above.');
  });

  it('with AUTO_REFRESH=on, checks DescribeVodRefreshQuota and says the write actions cannot be checked for free', async () => {
    const ok = await w.cli(['doctor', '--no-send'], { AUTO_REFRESH: 'on' });
    expect(ok.out).toMatch(/ok {4}DescribeVodRefreshQuota answered: \d+ of \d+ URL refreshes/);
    expect(ok.out).toContain('RefreshVodObjectCaches and PreloadVodObjectCaches cannot be checked without spending quota');
    // The first call (the credentials check) goes through; the second, DescribeVodRefreshQuota, is refused.
    w.world.vod.faults.queue.push({ kind: 'slow', ms: 0 }, { kind: 'error', code: 'Forbidden.RAM', status: 403 });
    const denied = await w.cli(['doctor', '--no-send'], { AUTO_REFRESH: 'on' });
    expect(denied.code).toBe(EXIT.problem);
    expect(denied.out).toContain('fix: the RAM role or user needs vod:DescribeVodRefreshQuota');
  });

  it('reports every configuration problem at once, and warnings', async () => {
    const r = await w.cli(['doctor'], { VOD_CONCURRENCY: 'lots', DINGTALK_SECRET: 'plain', VOD_MAX_PAGES: '10' });
    expect(r.code).toBe(EXIT.usage);
    expect(r.out).toMatch(/FAIL {2}VOD_CONCURRENCY: "lots" is not accepted/);
    expect(r.out).toMatch(/FAIL {2}DINGTALK_SECRET: is not a DingTalk signing secret; use the robot's secret, which starts with SEC/);
    const warned = await w.cli(['doctor', '--no-send'], { VOD_MAX_PAGES: '10' });
    expect(warned.out).toMatch(/WARN {2}VOD_MAX_PAGES is no longer used/);
  });
});

describe('doctor with an alerting file', () => {
  const file = () => path.join(w.world.dir, 'alerting.yaml');
  const write = (lines: string[]) => writeFileSync(file(), lines.join('\n'));
  const valid = [
    'receivers:',
    '  - name: team-a',
    "    dingtalk: { webhook: '${TEAM_A_WEBHOOK}', secret: '${TEAM_A_SECRET}', keywords: [VOD], atMobiles: ['13800000001'] }",
    '  - name: ops',
    '    webhook:',
    '      url: ${OPS_URL}',
    'route:',
    '  receiver: ops',
    '  routes:',
    '    - { match: { domain: [video.example.com], kind: [failed, stuck] }, receiver: team-a }',
    'reminders: { every: 4h, max: 3 }',
    'mutes:',
    "  - { name: migration, match: { domain: [video.example.com] }, until: '2099-01-01T00:00:00+08:00' }",
    "digest: { at: '09:30' }",
  ];

  it('prints the effective receivers and routes with every secret masked, marks an active mute, and checks each receiver', async () => {
    write(valid);
    const opsUrl = `${w.world.ding.webhook()}&key=ops-secret-value`;
    const env = { ALERTING_CONFIG: file(), TEAM_A_WEBHOOK: w.world.ding.webhook(), TEAM_A_SECRET: w.world.env.DINGTALK_SECRET, OPS_URL: opsUrl };
    const r = await w.cli(['doctor'], env);
    expect(r.out).toMatch(/receiver team-a: dingtalk .*access_token=\*\*\*, signed, keywords VOD, rings @13800000001, at most \d+\/min/);
    expect(r.out).toContain('route 1: domain video.example.com, kind failed|stuck -> team-a');
    expect(r.out).toContain('default: everything else -> ops');
    expect(r.out).toContain('reminders every 240 min, 3 at most per failed URL');
    expect(r.out).toMatch(/mute migration: domain video\.example\.com, until 2099-01-01 00:00:00 UTC\+8 — ACTIVE NOW/);
    expect(r.out).toContain('digest at 09:30 Asia/Shanghai to team-a, ops');
    expect(r.out).toContain('team-a accepted a check message; it rang nobody');
    const token = new URL(w.world.ding.webhook()).searchParams.get('access_token')!;
    for (const secret of [token, env.TEAM_A_SECRET!, 'ops-secret-value']) expect(r.out + r.err).not.toContain(secret);
    // The single robot of DINGTALK_WEBHOOK is not what alerts go to any more: it is not checked as such.
    expect(r.out).not.toContain('alert channel:');
  });

  it('names the field, the file and what is accepted when the file is wrong, and says where alerts go meanwhile', async () => {
    write([...valid.slice(0, 6), 'route:', '  receiver: nobody-here', "digest: { at: '9:30' }"]);
    const r = await w.cli(['doctor', '--no-send'], { ALERTING_CONFIG: file(), TEAM_A_WEBHOOK: w.world.ding.webhook(), OPS_URL: w.world.ding.webhook() });
    expect(r.code).toBe(EXIT.usage);
    expect(r.out).toMatch(/FAIL {2}ALERTING_CONFIG \(.*alerting\.yaml\): digest\.at: use HH:MM/);
    write([...valid.slice(0, 6), 'route:', '  receiver: nobody-here'].join('\n').split('\n'));
    const unknown = await w.cli(['doctor', '--no-send'], { ALERTING_CONFIG: file(), TEAM_A_WEBHOOK: w.world.ding.webhook(), OPS_URL: w.world.ding.webhook() });
    expect(unknown.out).toMatch(/FAIL {2}ALERTING_CONFIG \(.*\): route\.receiver: no receiver is named "nobody-here" \(receivers: team-a, ops\)/);
    write(['receivers:', '  - name: a', '    webhook: { url: ${OPS_URL} }', 'route: { receiver: a }']);
    const flow = await w.cli(['doctor', '--no-send'], { ALERTING_CONFIG: file() });
    expect(flow.out).toMatch(/FAIL {2}ALERTING_CONFIG \(.*\): is not YAML: .* at line 3 \(inside \{ \} or \[ \], put each \$\{NAME\} in quotes\)/);
    write(valid);
    const unset = await w.cli(['doctor', '--no-send'], { ALERTING_CONFIG: file(), TEAM_A_WEBHOOK: w.world.ding.webhook() });
    expect(unset.out).toMatch(/FAIL {2}ALERTING_CONFIG \(.*\): receivers\.1\.webhook\.url: \$\{OPS_URL\} is not set in the environment/);
    expect(unset.out).toContain('until it is fixed, a run sends every alert to the robot of DINGTALK_WEBHOOK');
  });
});
