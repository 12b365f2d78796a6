import { EXIT } from '../../lib/cli/main';
import { type CliWorld, startCliWorld } from './world';

let w: CliWorld;
beforeEach(async () => {
  w = await startCliWorld();
});
afterEach(async () => {
  await w.close();
});

describe('test-alert', () => {
  it('sends a message labelled as a test in its title and text, ringing nobody, and says so', async () => {
    const r = await w.cli(['test-alert']);
    expect(r.code).toBe(EXIT.ok);
    const [m] = w.world.ding.accepted;
    expect(m!.body.markdown!.title).toContain('TEST — not a real failure');
    expect(m!.body.markdown!.text).toContain('**TEST — not a real failure.**');
    expect(m!.body.markdown!.text).toContain('It rings nobody.');
    expect(m!.body.at).toEqual({ atMobiles: [], atUserIds: [], isAtAll: false });
    expect(m!.body.markdown!.text).not.toContain('@13800000000');
    expect(r.out).toMatch(
      /DingTalk robot accepted the test alert\. Look in the group for "TEST — not a real failure: VOD refresh: 1 failed"; it rings nobody \(add --ring/,
    );
  });

  it('rings whom real alerts ring only with --ring', async () => {
    expect((await w.cli(['test-alert', '--ring'])).code).toBe(EXIT.ok);
    const [m] = w.world.ding.accepted;
    expect(m!.body.at?.atMobiles).toEqual(['13800000000']);
    expect(m!.body.markdown!.text).toContain('@13800000000');
    expect(m!.body.at?.isAtAll).toBe(false);
  });

  it('--preview prints the message and sends nothing', async () => {
    const r = await w.cli(['test-alert', '--preview']);
    expect(r.code).toBe(EXIT.ok);
    expect(w.world.ding.accepted).toHaveLength(0);
    expect(r.out).toMatch(/^Preview, not sent \(DingTalk robot, \d+ bytes; rings nobody/);
    expect(r.out).toContain('title: TEST — not a real failure: VOD refresh: 1 failed');
    expect(r.out).toContain('TEST — not a real failure. Sent by `vod-refresh-monitor test-alert`');
  });

  it.each<[string, Record<string, string | undefined>, number, string]>([
    [
      'the keyword is missing',
      { DINGTALK_KEYWORDS: 'Refresh', MONITOR_NAME: 'Refresh watch', ALERT_HINT: 'Check the origin.' },
      EXIT.problem,
      "the message lacks the robot's keyword: set DINGTALK_KEYWORDS",
    ],
    [
      'the robot signs but this machine does not',
      { DINGTALK_SECRET: undefined },
      EXIT.problem,
      "DINGTALK_SECRET is not set, so nothing was signed: if the robot uses signing, set DINGTALK_SECRET to the robot's secret",
    ],
    ['there is no webhook', { DINGTALK_WEBHOOK: undefined }, EXIT.usage, 'DINGTALK_WEBHOOK: is required when ALERT_CHANNEL is dingtalk'],
  ])('explains in plain words when %s', async (_when, env, code, words) => {
    const r = await w.cli(['test-alert'], env);
    expect(r.code).toBe(code);
    expect(`${r.out}\n${r.err}`).toContain(words);
  });
});
