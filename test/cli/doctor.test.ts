import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EXIT } from '../../lib/cli/main';
import { startCliWorld, type CliWorld } from './world';

let w: CliWorld;
beforeEach(async () => {
  w = await startCliWorld();
});
afterEach(async () => {
  await w.close();
});

const snapshot = (dir: string) => readdirSync(dir).map((f) => `${f}:${statSync(path.join(dir, f)).mtimeMs}:${readFileSync(path.join(dir, f), 'utf8').length}`).sort();

describe('doctor', () => {
  it('labels the state as THIS MACHINE\'s, points to status for the deployed one, and writes nothing but a probe', async () => {
    await w.world.run();
    const before = snapshot(w.world.dir);
    const r = await w.cli(['doctor', '--no-send']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain(`state on THIS MACHINE (STATE_FILE ${w.world.stateFile})`);
    expect(r.out).toContain("not the deployed function's: for the deployed monitor, run `vod-refresh-monitor status`");
    expect(r.out).toMatch(/ok {4}last run .* UTC\+8 \(under a minute ago\), ok; last good run .* UTC\+8/);
    expect(r.out).toContain('can be written (a probe file was created and removed)');
    expect(snapshot(w.world.dir)).toEqual(before);
  });

  it('never moves or rewrites a corrupt state file', async () => {
    writeFileSync(w.world.stateFile, '{oops');
    const before = snapshot(w.world.dir);
    const r = await w.cli(['doctor', '--no-send']);
    expect(r.code).toBe(EXIT.problem);
    expect(r.out).toMatch(/FAIL  the state file cannot be used: StateCorrupt: .*\n {8}fix: the next real `run` moves it aside/);
    expect(snapshot(w.world.dir)).toEqual(before);
  });

  it('fails when the state folder cannot be created, saying how to fix it', async () => {
    await w.world.run();
    const blocked = await w.cli(['doctor', '--no-send'], { STATE_FILE: path.join(w.world.stateFile, 'nested', 'state.json') });
    expect(blocked.code).toBe(EXIT.problem);
    expect(blocked.out).toMatch(/FAIL  cannot create the state folder: .* is a file, not a folder\n {8}fix: set STATE_FILE to a path this user can write/);
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
    expect(r.out).toMatch(/WARN  vidoe\.example\.com: no task in the last 3 days \(file 0, directory 0, preload 0\)\n {8}fix: check the spelling in VOD_DOMAINS/);
    const counts = w.world.vod.stats.log.filter((p) => p.DomainName === 'vidoe.example.com');
    expect(counts.map((p) => [p.ObjectType, p.PageSize])).toEqual([['file', '1'], ['directory', '1'], ['preload', '1']]);
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
    expect(r.out).toMatch(/FAIL  VOD_CONCURRENCY: "lots" is not accepted/);
    expect(r.out).toMatch(/FAIL  DINGTALK_SECRET: is not a DingTalk signing secret; use the robot's secret, which starts with SEC/);
    const warned = await w.cli(['doctor', '--no-send'], { VOD_MAX_PAGES: '10' });
    expect(warned.out).toMatch(/WARN  VOD_MAX_PAGES is no longer used/);
  });
});
