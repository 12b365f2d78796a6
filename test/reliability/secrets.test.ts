import { signRpc } from '../../sim/vod/signature';
import { startWorld, FC_CREDENTIALS } from '../helpers/world';
import { main, type CliIo } from '../../lib/cli/main';

describe('secrets never leak', () => {
  it('whole monitoring passes under faults: no secret, token or signature in any log line, error, report or message', async () => {
    const world = await startWorld();
    const haystack: string[] = [];
    try {
      const failing = async (payload?: string) => {
        try {
          haystack.push(JSON.stringify(await world.run(payload)));
        } catch (err) {
          haystack.push(String((err as Error).message), String((err as Error).stack));
        }
        world.clock.advance(5 * 60_000);
      };
      await failing();
      world.fail('http://video.example.com/secret/1.mp4');
      world.vod.faults.queue.push({ kind: 'throttle' }, { kind: 'html' }, { kind: 'reset' }, { kind: 'slow', ms: 10 });
      await failing();
      world.fail('http://video.example.com/secret/2.mp4');
      world.ding.faults.push({ kind: 'errcode', errcode: 310000, errmsg: 'sign not match' });
      await failing();
      world.ding.faults.push({ kind: 'errcode', errcode: 130101 }, { kind: 'status', status: 502 });
      await failing();
      world.vod.accounts.find((a) => a.accessKeyId === FC_CREDENTIALS.accessKeyId)!.state = 'suspended';
      await failing();
      world.vod.accounts.find((a) => a.accessKeyId === FC_CREDENTIALS.accessKeyId)!.state = 'ok';
      world.fail('http://video.example.com/secret/3.mp4');
      await failing('{"dryRun":true}');
      await failing();
      world.vod.faults.queue.push({ kind: 'error', code: 'SignatureDoesNotMatch', status: 400 });
      await failing();
      // the CLI too, on its error paths
      const out: string[] = [];
      const io: CliIo = { stdout: (s) => out.push(s), stderr: (s) => out.push(s), env: { ...world.env, ALIBABA_CLOUD_ACCESS_KEY_ID: FC_CREDENTIALS.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: FC_CREDENTIALS.accessKeySecret, ALIBABA_CLOUD_SECURITY_TOKEN: FC_CREDENTIALS.securityToken }, now: world.clock.now };
      world.vod.faults.queue.push({ kind: 'error', code: 'OperationDenied', status: 403 });
      await main(['doctor'], io);
      await main(['tasks', '--since', '1h'], io);
      haystack.push(...out);

      haystack.push(world.sink.text());
      for (const m of world.ding.accepted) haystack.push(JSON.stringify(m.body));
      const signatures = world.vod.stats.log.filter((p) => p.AccessKeyId === FC_CREDENTIALS.accessKeyId).map((p) => signRpc('GET', { ...p, SecurityToken: FC_CREDENTIALS.securityToken }, FC_CREDENTIALS.accessKeySecret));
      const robot = world.ding.robots[0]!;
      const needles = [FC_CREDENTIALS.accessKeySecret, FC_CREDENTIALS.securityToken, robot.secret!, robot.accessToken, ...signatures, ...signatures.map(encodeURIComponent), ...world.ding.signs, ...world.ding.signs.map(decodeURIComponent)];
      expect(signatures.length).toBeGreaterThan(8);
      expect(world.ding.signs.length).toBeGreaterThan(3);
      expect(world.sink.lines.length).toBeGreaterThan(20);
      const all = haystack.join('\n');
      for (const needle of needles) expect({ needle, found: all.includes(needle) }).toEqual({ needle, found: false });
    } finally {
      await world.close();
    }
  });
});
