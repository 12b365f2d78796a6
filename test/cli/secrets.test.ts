import { FC_CREDENTIALS } from '../helpers/world';
import { type CliWorld, closedPort, startCliWorld } from './world';

type Env = Record<string, string | undefined>;

const DEPLOYED_TOKEN = 'deployed-only-token-9f8e7d';
const DEPLOYED_SECRET = 'SECdeployed-only-signing-secret-42';
const WRONG_SECRET = 'wrong-secret-value-1a2b';

/** Every command on its error paths (and a few good ones), with --verbose so that log lines are checked too. */
async function everyPath(w: CliWorld): Promise<string[]> {
  const seen: string[] = [];
  const call = async (argv: string[], env: Env = {}) => {
    const r = await w.cli([...argv, '--verbose'], env);
    seen.push(r.out, r.err);
  };
  const commands = [
    ['run', '--timeout', '12'],
    ['tasks', '--since', '3d'],
    ['tasks', '--json'],
    ['test-alert'],
    ['doctor'],
    ['status'],
    ['status', '--json'],
    ['invoke'],
    ['invoke', '--json'],
  ];
  const vodDown = `http://127.0.0.1:${await closedPort()}`;
  for (const argv of commands) {
    await call(argv);
    await call(argv, { ALIBABA_CLOUD_ACCESS_KEY_SECRET: WRONG_SECRET });
    await call(argv, { DINGTALK_SECRET: 'SECnot-the-robot-secret-at-all' });
    w.world.vod.faults.queue.push({ kind: 'html', status: 502 }, { kind: 'error', code: 'OperationDenied', status: 403 }, { kind: 'reset' });
    await call(argv);
    w.world.ding.faults.push({ kind: 'status', status: 502 }, { kind: 'errcode', errcode: 300001, errmsg: 'token is not exist' });
    await call(argv);
    await call(argv, { VOD_ENDPOINT: vodDown, ALIBABA_CLOUD_SECURITY_TOKEN: 'CAIS-another-token-77' });
  }
  await call(['local', '--rows', 'x']);
  return seen;
}

describe("secrets never reach the CLI's output", () => {
  it('no stdout, stderr or JSON of any command holds a key secret, token, webhook token or signing secret', async () => {
    const w = await startCliWorld();
    try {
      w.world.fail('http://video.example.com/secret.mp4');
      const deployedHook = `${w.world.ding.webhook().split('?')[0]}?access_token=${DEPLOYED_TOKEN}`;
      w.deploy({ DINGTALK_WEBHOOK: deployedHook, DINGTALK_SECRET: DEPLOYED_SECRET });
      const monitor = w.fc.functions.get('vod-refresh-monitor')!;
      const real = monitor.invoke!;
      let throws = false;
      // A deployed function whose error message quotes its own configuration: the CLI must mask what GetFunction showed it.
      monitor.invoke = async (event, context) => {
        if (throws) throw new Error(`cannot post to ${deployedHook} with ${DEPLOYED_SECRET}`);
        return real(event, context);
      };
      const haystack = await everyPath(w);
      throws = true;
      haystack.push(...(await everyPath(w)));
      const robot = w.world.ding.robots[0]!;
      const needles = [
        FC_CREDENTIALS.accessKeySecret,
        FC_CREDENTIALS.securityToken,
        WRONG_SECRET,
        'CAIS-another-token-77',
        robot.secret!,
        robot.accessToken,
        DEPLOYED_TOKEN,
        DEPLOYED_SECRET,
        ...w.world.ding.signs,
        ...w.world.ding.signs.map(decodeURIComponent),
      ];
      const all = haystack.join('\n');
      expect(all).toContain('SignatureDoesNotMatch');
      expect(all).toContain('cannot post to');
      expect(all.length).toBeGreaterThan(20_000);
      for (const needle of needles) expect({ needle, found: all.includes(needle) }).toEqual({ needle, found: false });
    } finally {
      await w.close();
    }
  }, 120_000);
});
