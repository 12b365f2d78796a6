// npm run demo: the built handler (dist/index.js) against the local VOD API and DingTalk robot, tick by tick.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { markdownToTerminal } from '../lib/cli/format';
import { summary } from '../lib/cli/summary';
import type { RunReport } from '../lib/monitor';
import { DEFAULT_ROBOT, type DingTalkSim, startDingTalkSim } from '../sim/dingtalk/server';
import { seededRandom } from '../sim/random';
import { startVodSim } from '../sim/vod/server';
import { seedHistory } from '../sim/vod/store';

const MIN = 60_000;
const CREDS = { accessKeyId: 'STS.NUdemoKey', accessKeySecret: 'demo-sts-secret', securityToken: 'CAIS-demo-token' };
const out = (s = '') => process.stdout.write(`${s}\n`);
const rule = (title: string) => out(`\n${'='.repeat(78)}\n${title}\n${'='.repeat(78)}`);

async function main() {
  let offset = 0;
  const now = () => Date.now() + offset;
  const vod = await startVodSim({ accounts: [CREDS], now, seed: 2026 });
  const ding = await startDingTalkSim({ now });
  const dir = mkdtempSync(path.join(tmpdir(), 'vod-refresh-monitor-demo-'));
  const env = {
    VOD_ENDPOINT: vod.url,
    DINGTALK_WEBHOOK: ding.webhook(),
    DINGTALK_SECRET: DEFAULT_ROBOT.secret!,
    DINGTALK_KEYWORDS: 'VOD',
    DINGTALK_AT_MOBILES: '13800000000',
    STATE_FILE: path.join(dir, 'state.json'),
  };
  const built = require(path.resolve(__dirname, '../dist/index.js')) as {
    createHandler: (o: unknown) => (event: Buffer, context: unknown) => Promise<RunReport>;
  };
  const handler = built.createHandler({ env, now, logDestination: new Writable({ write: (_c, _e, cb) => cb() }) });

  out('vod-refresh-monitor demo');
  out('Everything below runs on this machine against LOCAL simulators: a VOD API on');
  out(`${vod.url} (checks signatures like Alibaba Cloud) and a DingTalk robot on ${ding.url}`);
  out('(checks signing, keyword and rate limits). No cloud account is used.');

  const history = seedHistory(vod.store, { nowMs: now(), count: 2000, random: seededRandom(7), failureRate: 0.02, unfinishedRate: 0 });
  for (let i = 0; i < 3; i++)
    vod.store.add({
      ObjectPath: `http://video.example.com/videos/new-${i}/video.mp4`,
      creationMs: now() - (5 + i * 7) * MIN,
      Status: 'Failed',
      Description: 'Origin Timeout',
    });
  out(`\nSeeded a 3-day history of ${history.length + 3} refresh and preload URLs over 3 domains, submitted in batches (one task id per domain per second).`);

  let tick = 0;
  const run = async (what: string) => {
    tick++;
    rule(`Timer tick ${tick} (${new Date(now()).toISOString().slice(11, 16)} UTC): ${what}`);
    const seen = ding.accepted.length;
    vod.resetStats();
    const report = await handler(
      Buffer.from(JSON.stringify({ triggerTime: new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z'), triggerName: 'every-5-minutes', payload: '{}' })),
      { requestId: `demo-${tick}`, credentials: CREDS, function: { name: 'vod-refresh-monitor', timeout: 120 } },
    );
    const fresh = ding.accepted.slice(seen);
    if (fresh.length === 0)
      out(
        report.alerts.pending
          ? `\n(no message reached DingTalk: ${report.alerts.pending} alert(s) wait in the state for the next run)`
          : '\n(no DingTalk message: nothing new for on-call)',
      );
    for (const m of fresh) {
      out(
        `\n--- DingTalk message, ${m.bytes} bytes, rings: ${[...(m.body.at?.atMobiles ?? []), ...(m.body.at?.isAtAll ? ['@all'] : [])].join(' ') || 'nobody'} ---`,
      );
      out(markdownToTerminal(m.body.markdown!.text));
    }
    out('\n--- run report ---');
    out(summary(report));
    out(`(the VOD simulator counted ${vod.stats.requests} request(s))`);
    offset += 5 * MIN;
  };

  /** Timer ticks nobody needs to read: time passes as it does for the deployed function, every 5 minutes. */
  const quietly = async (ticks: number) => {
    for (let i = 0; i < ticks; i++) {
      await handler(Buffer.from(JSON.stringify({ triggerTime: new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z'), payload: '{}' })), {
        requestId: 'demo-quiet',
        credentials: CREDS,
        function: { timeout: 120 },
      });
      offset += 5 * MIN;
    }
  };

  await run('first run: no state yet, so failures older than 1 hour are counted, not listed');

  const urls = Array.from({ length: 200 }, (_, i) => `http://video.example.com/series/s01/e${String(i).padStart(3, '0')}/index.m3u8`);
  const batch = vod.store.submit({ urls, kind: 'file', atMs: now() - 2 * MIN });
  const id = batch.taskIds[0]!;
  vod.store.updateRow(id, urls[17]!, { Status: 'Failed', Description: 'Origin Timeout' });
  vod.store.updateRow(id, urls[42]!, { Status: 'Failed', Description: 'Origin Timeout' });
  vod.store.updateRow(id, urls[120]!, { Status: 'Failed', Description: 'Origin Return StatusCode 5XX' });
  vod.store.updateRow(id, urls[199]!, { Status: 'Pending' });
  for (const u of urls.slice(150, 199)) vod.store.updateRow(id, u, { Status: 'Complete' });
  vod.store.add({
    ObjectPath: 'http://video.example.com/videos/evil/a[click](http://evil.example)@all.mp4',
    creationMs: now() - 5_000,
    Status: 'Failed',
    Description: 'Internal Error',
  });
  await run(`a CMS refreshes 200 URLs in one call (one task id, ${id}): 3 fail, 1 hangs, the rest are still refreshing; and a hostile path fails`);

  for (const u of urls.slice(0, 150)) if (![17, 42, 63, 120].includes(urls.indexOf(u))) vod.store.updateRow(id, u, { Status: 'Complete' });
  vod.store.updateRow(id, urls[63]!, { Status: 'Failed', Description: 'Internal Error' });
  await run(
    'the batch goes on: one URL that was still refreshing fails late, the others complete (the last 5 minutes are read again, for rows the API lists late)',
  );

  await quietly(4);
  await run(
    '30 minutes after the batch: its pending URL is stuck, reported once (a quiet run: one call for new rows, one for the failures of the URLs it watches, one to look up the URL that crossed the threshold)',
  );

  const again = vod.store.submit({ urls: [urls[17]!], kind: 'file', atMs: now() - MIN });
  vod.store.updateRow(again.taskIds[0]!, urls[17]!, { Status: 'Complete' });
  await run('on-call refreshes a failed URL again and it completes: a recovery (good news rings nobody)');

  vod.store.add({
    ObjectPath: 'http://media.example.net/videos/x/index.m3u8',
    ObjectType: 'preload',
    creationMs: now() - 15_000,
    Status: 'Failed',
    Description: 'Origin Timeout',
  });
  ding.faults.push({ kind: 'errcode', errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' });
  await run('DingTalk answers 130101 (sent too fast): the alert waits in the state');

  vod.store.updateRow(id, urls[199]!, { Status: 'Complete' });
  await run('the next run delivers what waited, once');

  rule('Part two: the same monitor with AUTO_REFRESH=on (it re-submits transient failures itself)');
  const auto = built.createHandler({
    env: { ...env, AUTO_REFRESH: 'on', AUTO_REFRESH_DELAY_MINUTES: '0' },
    now,
    logDestination: new Writable({ write: (_c, _e, cb) => cb() }),
  });
  const runAuto = async (what: string) => {
    tick++;
    rule(`Timer tick ${tick} (${new Date(now()).toISOString().slice(11, 16)} UTC): ${what}`);
    const seen = ding.accepted.length;
    const report = await auto(Buffer.from(JSON.stringify({ triggerTime: new Date(now()).toISOString().replace(/\.\d{3}Z$/, 'Z'), payload: '{}' })), {
      requestId: `demo-${tick}`,
      credentials: CREDS,
      function: { timeout: 120 },
    });
    for (const m of ding.accepted.slice(seen)) {
      out(`\n--- DingTalk message, ${m.bytes} bytes, rings: ${(m.body.at?.atMobiles ?? []).join(' ') || 'nobody'} ---`);
      out(markdownToTerminal(m.body.markdown!.text));
    }
    out('\n--- run report ---');
    out(summary(report));
    if (report.autoRefresh)
      out(
        `automatic re-submission: ${report.autoRefresh.submitted} URL(s) re-submitted in ${report.autoRefresh.calls} call(s)${report.autoRefresh.held.length ? `; held: ${report.autoRefresh.held.join(', ')}` : ''}`,
      );
    offset += 5 * MIN;
  };
  vod.store.add({ ObjectPath: 'http://vod.example.cn/videos/flaky/index.m3u8', creationMs: now() - 2 * MIN, Status: 'Failed', Description: 'Origin Timeout' });
  await runAuto('an origin times out once: the monitor re-submits the URL itself (RefreshVodObjectCaches), and rings nobody yet');
  await runAuto('the re-submitted refresh completed: recovered after an automatic retry');

  const robotB = await partThree({ vod, ding, env, dir, now, advance: (ms) => (offset += ms), built, nextTick: () => ++tick });

  rule('Summary');
  out(
    `${ding.accepted.length} DingTalk message(s) accepted by the local robot; ${ding.answers['130101'] ?? 0} refused with 130101 and delivered on the next run.`,
  );
  out(`The CN team's robot accepted ${robotB.accepted.length} message(s): only what its route sends it.`);
  out('Every failed URL of the batch was reported once, under its task id, though they share one id.');
  out('This was a local demo. To watch your own account: README, "Deploy".');
  await vod.close();
  await ding.close();
  await robotB.close();
  rmSync(dir, { recursive: true, force: true });
}

type Built = { createHandler: (o: unknown) => (event: Buffer, context: unknown) => Promise<RunReport> };
interface PartThree {
  vod: Awaited<ReturnType<typeof startVodSim>>;
  ding: DingTalkSim;
  env: Record<string, string>;
  dir: string;
  now: () => number;
  advance: (ms: number) => void;
  built: Built;
  nextTick: () => number;
}

/** `HH:MM` in Asia/Shanghai, `minutes` from `ms`. */
const shanghaiClock = (ms: number, minutes: number) => new Date(ms + 8 * 3600_000 + minutes * MIN).toISOString().slice(11, 16);

/** Part three: an alerting file (ALERTING_CONFIG) with two teams' robots, a maintenance mute, reminders and a digest. */
async function partThree(c: PartThree): Promise<DingTalkSim> {
  rule('Part three: an alerting file (ALERTING_CONFIG): two teams, two robots, a maintenance mute, reminders, a daily digest');
  const robotB = await startDingTalkSim({ now: c.now, robots: [{ accessToken: 'cn-team-robot-token', keywords: ['VOD'] }] });
  const file = path.join(c.dir, 'alerting.yaml');
  const muteUntil = new Date(c.now() + 12 * MIN).toISOString();
  writeFileSync(
    file,
    [
      'receivers:',
      '  - name: video-team',
      "    dingtalk: { webhook: '${VIDEO_TEAM_WEBHOOK}', secret: '${VIDEO_TEAM_SECRET}', keywords: [VOD], atMobiles: ['13800000000'] }",
      '  - name: cn-team',
      "    dingtalk: { webhook: '${CN_TEAM_WEBHOOK}', keywords: [VOD], atMobiles: ['13900000000'] }",
      'route:',
      '  receiver: video-team',
      '  routes:',
      "    - { match: { domain: ['*.example.cn'] }, receiver: cn-team }",
      'reminders: { every: 1h, max: 2 }',
      'mutes:',
      `  - { name: media-maintenance, match: { domain: [media.example.net] }, until: '${muteUntil}', reason: origin maintenance }`,
      `digest: { at: '${shanghaiClock(c.now(), 20)}' }`,
    ].join('\n'),
  );
  out(`\nThe alerting file (${file}):\n`);
  out(
    require('node:fs')
      .readFileSync(file, 'utf8')
      .split('\n')
      .map((l: string) => `  ${l}`)
      .join('\n'),
  );
  const env = {
    ...c.env,
    ALERTING_CONFIG: file,
    VIDEO_TEAM_WEBHOOK: c.ding.webhook(),
    VIDEO_TEAM_SECRET: DEFAULT_ROBOT.secret!,
    CN_TEAM_WEBHOOK: robotB.webhook('cn-team-robot-token'),
  };
  const handler = c.built.createHandler({ env, now: c.now, logDestination: new Writable({ write: (_c, _e, cb) => cb() }) });
  const robots: Array<[string, DingTalkSim]> = [
    ['video-team', c.ding],
    ['cn-team', robotB],
  ];
  const run = async (what: string) => {
    const tick = c.nextTick();
    rule(`Timer tick ${tick} (${new Date(c.now()).toISOString().slice(11, 16)} UTC): ${what}`);
    const seen = robots.map(([, r]) => r.accepted.length);
    const report = await handler(Buffer.from(JSON.stringify({ triggerTime: new Date(c.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'), payload: '{}' })), {
      requestId: `demo-${tick}`,
      credentials: CREDS,
      function: { timeout: 120 },
    });
    let shown = 0;
    robots.forEach(([name, robot], i) => {
      for (const m of robot.accepted.slice(seen[i])) {
        shown++;
        out(`\n--- to the ${name} robot, ${m.bytes} bytes, rings: ${(m.body.at?.atMobiles ?? []).join(' ') || 'nobody'} ---`);
        out(markdownToTerminal(m.body.markdown!.text));
      }
    });
    if (!shown) out('\n(no DingTalk message)');
    out('\n--- run report ---');
    out(summary(report));
    c.advance(5 * MIN);
  };
  const fail = (url: string, description = 'Origin Timeout') =>
    c.vod.store.add({ ObjectPath: url, creationMs: c.now() - MIN, Status: 'Failed', Description: description });
  fail('http://img.example.cn/covers/c1.jpg');
  fail('http://video.example.com/videos/v9/index.m3u8', 'Origin Return StatusCode 5XX');
  await run("each team's failure goes to its own robot; what is still broken from an hour ago is reminded (every hour, twice at most)");
  fail('http://media.example.net/live/a.m3u8');
  fail('http://media.example.net/live/b.m3u8');
  await run('media.example.net is in maintenance (muted): its failures are held back and counted, not sent');
  fail('http://media.example.net/live/c.m3u8', 'Origin Return StatusCode 5XX');
  await run('still in maintenance: one more held back');
  await run('the maintenance window has ended: one message says what it held back');
  await run('the digest time (Asia/Shanghai): each team gets its day in one message; no digest means the monitor is down');
  return robotB;
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});
