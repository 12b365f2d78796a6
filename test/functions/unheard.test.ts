// A robot that refuses every message (its signing secret rotated, the robot removed, a keyword changed) silences
// the watchdog too, which speaks through it. Then the invocations fail, the one signal left outside DingTalk (the
// failure destination, an alarm on the functions' errors) — never a normal return over alerts nobody heard.
// Built bundle, both simulators.
import { DEFAULT_ROBOT } from '../../sim/dingtalk/server';
import { FC_CREDENTIALS, startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

const ROTATED = 'SECrotated-secret-nobody-told-the-monitor-0000000000000';
const failed = (w: World) => w.ding.accepted.length;

async function refusingRobot() {
  world = await startWorld();
  await world.run();
  world.env.DINGTALK_SECRET = ROTATED;
  world.clock.advance(5 * MIN);
  const url = world.fail('http://video.example.com/unheard/a.mp4');
  const trigger = new Date(world.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const err = (await world.run(undefined, trigger).then(
    () => null,
    (e: unknown) => e,
  )) as Error | null;
  return { url, trigger, err };
}

describe('a robot that refuses every alert', () => {
  it('fails the invocation with the cause and the fix, and no secret', async () => {
    const { err } = await refusingRobot();
    expect(err).toBeInstanceOf(Error);
    expect(err!.message).toMatch(/No alert of this run reached anyone: the robot refuses every alert \(310000\)/);
    expect(err!.message).toMatch(/1 alert\(s\) wait in the state/);
    expect(err!.message).toContain('npx vod-refresh-monitor doctor');
    for (const secret of [ROTATED, DEFAULT_ROBOT.secret, DEFAULT_ROBOT.accessToken, FC_CREDENTIALS.accessKeySecret]) expect(err!.message).not.toContain(secret);
    expect(world.sink.records().some((l) => l.event === 'run-unheard')).toBe(true);
    for (const secret of [ROTATED, DEFAULT_ROBOT.accessToken]) expect(world.sink.text()).not.toContain(secret);
  });

  it('fails again when Function Compute retries the same timer event (not passed as a duplicate), so the failure destination is called', async () => {
    const { trigger } = await refusingRobot();
    await expect(world.run(undefined, trigger)).rejects.toThrow(/refuses every alert/);
  });

  it('keeps the alert waiting, and delivers it once, listed, when the robot takes messages again', async () => {
    const { url } = await refusingRobot();
    expect(failed(world)).toBe(0);
    world.env.DINGTALK_SECRET = DEFAULT_ROBOT.secret;
    world.clock.advance(5 * MIN);
    await expect(world.run()).resolves.toMatchObject({ status: 'ok', alerts: { pending: 0 } });
    world.clock.advance(5 * MIN);
    await world.run();
    expect(world.listed()).toEqual([url]);
  });

  it('a watchdog that cannot tell on-call either fails its invocation too', async () => {
    const { err } = await refusingRobot();
    const watchdog = world.built.createWatchdog({ env: world.env, now: world.clock.now, logDestination: world.sink.stream });
    const event = {
      timestamp: world.clock.now(),
      requestContext: { requestId: 'r', condition: 'UnhandledInvocationError' },
      responsePayload: JSON.stringify({ errorMessage: err!.message }),
    };
    await expect(watchdog(Buffer.from(JSON.stringify(event)), { credentials: FC_CREDENTIALS })).rejects.toThrow(/The watchdog could not tell on-call/);
  });
});
