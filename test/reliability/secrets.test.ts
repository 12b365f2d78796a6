import { encodings } from '../../lib/redact';
import { signRpc } from '../../sim/vod/signature';
import { stateText } from '../helpers/state-files';
import { FC_CREDENTIALS, startWorld } from '../helpers/world';

describe('secrets never leak', () => {
  it('whole monitoring passes under faults: no secret, token or signature in any log line, error, report or message', async () => {
    const world = await startWorld();
    const haystack: string[] = [];
    try {
      const pass = async (payload?: string) => {
        try {
          haystack.push(JSON.stringify(await world.run(payload)));
        } catch (err) {
          haystack.push(String((err as Error).message), String((err as Error).stack));
        }
        world.clock.advance(5 * 60_000);
      };
      await pass();
      world.fail('http://video.example.com/secret/1.mp4');
      world.vod.faults.queue.push({ kind: 'throttle' }, { kind: 'html' }, { kind: 'reset' }, { kind: 'slow', ms: 10 });
      await pass();
      world.fail('http://video.example.com/secret/2.mp4');
      world.ding.faults.push({ kind: 'errcode', errcode: 310000, errmsg: 'sign not match' });
      await pass();
      world.ding.faults.push({ kind: 'errcode', errcode: 130101 }, { kind: 'status', status: 502 });
      await pass();
      world.vod.accounts.find((a) => a.accessKeyId === FC_CREDENTIALS.accessKeyId)!.state = 'suspended';
      await pass();
      world.vod.accounts.find((a) => a.accessKeyId === FC_CREDENTIALS.accessKeyId)!.state = 'ok';
      world.fail('http://video.example.com/secret/3.mp4');
      await pass('{"dryRun":true}');
      await pass();
      await pass('{"status":true}');
      haystack.push(world.sink.text());
      for (const m of world.ding.accepted) haystack.push(JSON.stringify(m.body));
      const signatures = world.vod.stats.log
        .filter((p) => p.AccessKeyId === FC_CREDENTIALS.accessKeyId)
        .map((p) => signRpc('GET', { ...p, SecurityToken: FC_CREDENTIALS.securityToken }, FC_CREDENTIALS.accessKeySecret));
      const robot = world.ding.robots[0]!;
      const needles = [
        FC_CREDENTIALS.accessKeySecret,
        FC_CREDENTIALS.securityToken,
        robot.secret!,
        robot.accessToken,
        ...signatures,
        ...signatures.map(encodeURIComponent),
        ...world.ding.signs,
        ...world.ding.signs.map(decodeURIComponent),
      ];
      expect(signatures.length).toBeGreaterThan(8);
      expect(world.ding.signs.length).toBeGreaterThanOrEqual(3);
      expect(world.sink.lines.length).toBeGreaterThan(12);
      const all = haystack.join('\n');
      for (const needle of needles) expect({ needle, found: all.includes(needle) }).toEqual({ needle, found: false });
    } finally {
      await world.close();
    }
  });

  it("the gateway's SignatureDoesNotMatch message (its string-to-sign carries the token, twice encoded) never reaches a report, a log, the state or a message", async () => {
    const world = await startWorld();
    try {
      const token = 'CAIS+tok/en==with+slash/and=eq';
      world.vod.accounts.push({ accessKeyId: 'STS.NUplusToken', accessKeySecret: 'the-right-secret', securityToken: token });
      const handler = world.built.createHandler({ env: world.env, now: world.clock.now, sleep: world.clock.sleep, logDestination: world.sink.stream });
      const ctx = {
        requestId: 'sig',
        credentials: { accessKeyId: 'STS.NUplusToken', accessKeySecret: 'a-wrong-secret-0001', securityToken: token },
        function: { timeout: 30 },
      };
      const out: string[] = [];
      for (let i = 0; i < 2; i++) {
        out.push(JSON.stringify(await handler(Buffer.from('{}'), ctx)));
        world.clock.advance(5 * 60_000);
      }
      expect(world.vod.stats.byCode.SignatureDoesNotMatch).toBeGreaterThan(0);
      out.push(world.sink.text(), stateText(world.stateFile), ...world.ding.accepted.map((m) => JSON.stringify(m.body)));
      const all = out.join('\n');
      expect(all).toContain('SignatureDoesNotMatch');
      expect(all).not.toMatch(/string to sign/i);
      for (const needle of [...encodings(token), ...encodings('a-wrong-secret-0001'), 'STS.NUplusToken%26'])
        expect({ needle, found: all.includes(needle) }).toEqual({ needle, found: false });
    } finally {
      await world.close();
    }
  });
});
