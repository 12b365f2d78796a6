// The watchdog's own timer against the built bundle: the monitor runs every 5 minutes (or does not), the watchdog
// ticks every 10, on a movable clock. Each way the monitor can stop producing good runs is told exactly once, with
// the cause the watchdog can see, and once more when good runs are back; checked on what the robot accepted.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { FC_CREDENTIALS, startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
beforeEach(async () => {
  world = await startWorld();
});
afterEach(async () => {
  await world.close();
});

const OUTAGE = /No good monitor run for/;
const BACK = /Good monitor runs are back/;
const said = (re: RegExp) => world.texts().filter((t) => re.test(t));

let ticks = 0;
async function tick(payload = '') {
  const watchdog = world.built.createWatchdog({ env: world.env, now: world.clock.now, logDestination: world.sink.stream });
  const event = Buffer.from(JSON.stringify({ triggerTime: new Date(world.clock.now()).toISOString(), triggerName: 'watchdog-timer', payload }));
  return watchdog(event, { requestId: `tick-${++ticks}`, credentials: FC_CREDENTIALS }) as Promise<Record<string, unknown>>;
}

/**
 * `minutes` of time, 5 at a time: the monitor's timer fires when `monitor` says so (`before` runs first), the
 * watchdog's every 10 minutes.
 */
async function pass(minutes: number, o: { monitor: boolean; before?: () => void }) {
  for (let t = 5; t <= minutes; t += 5) {
    world.clock.advance(5 * MIN);
    if (o.monitor) {
      o.before?.();
      await world.run().catch(() => undefined);
    }
    if (t % 10 === 0) await tick();
  }
}

describe("the dead man's switch: no good run within the window is told once, and good runs back once", () => {
  it('the monitor skipped by a lock a live host on another machine holds', async () => {
    await pass(5, { monitor: true });
    const since = world.clock.now();
    const hold = () =>
      writeFileSync(
        `${world.stateFile}.lock`,
        JSON.stringify({
          token: '6f1c3c4e-0000-4000-8000-000000000001',
          host: 'fc-host-elsewhere',
          pid: 4242,
          acquiredAtMs: since,
          expiresAtMs: world.clock.now() + 60_000,
        }),
      );
    await pass(30, { monitor: true, before: hold });
    expect(said(OUTAGE)).toHaveLength(1);
    expect(said(OUTAGE)[0]).toMatch(/was skipped by the state lock: the lock .*state\.json\.lock is held by fc-host-elsewhere \(pid 4242\) since/);
    expect(said(OUTAGE)[0]).toContain('delete');
    rmSync(`${world.stateFile}.lock`);
    await pass(20, { monitor: true });
    expect(said(OUTAGE)).toHaveLength(1);
    expect(said(BACK)).toHaveLength(1);
  });

  it('the monitor failing: a VOD API that refuses every call', async () => {
    await pass(5, { monitor: true });
    const account = world.vod.accounts.find((a) => a.accessKeyId === FC_CREDENTIALS.accessKeyId)!;
    account.state = 'suspended';
    await pass(30, { monitor: true });
    expect(said(OUTAGE)).toHaveLength(1);
    expect(said(OUTAGE)[0]).toMatch(/runs are failing: \d+ in a row since .*; the last, at .*, ended degraded: the VOD API could not be read/);
    expect(said(OUTAGE)[0]).toContain('vod-refresh-monitor doctor');
    account.state = 'ok';
    await pass(20, { monitor: true });
    expect(said(OUTAGE)).toHaveLength(1);
    expect(said(BACK)).toHaveLength(1);
  });

  it('the monitor absent: its timer stopped', async () => {
    await pass(5, { monitor: true });
    await pass(30, { monitor: false });
    expect(said(OUTAGE)).toHaveLength(1);
    expect(said(OUTAGE)[0]).toMatch(/no run at all since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\+8/);
    expect(said(OUTAGE)[0]).toContain('the timer may be disabled');
    await pass(20, { monitor: true });
    expect(said(OUTAGE)).toHaveLength(1);
    expect(said(BACK)).toHaveLength(1);
  });

  it('the monitor never ran at all', async () => {
    await pass(30, { monitor: false });
    expect(said(OUTAGE)).toHaveLength(1);
    expect(said(OUTAGE)[0]).toMatch(/no run at all since the watchdog began watching at/);
    await pass(20, { monitor: true });
    expect(said(BACK)).toHaveLength(1);
  });

  it('the state unreadable (a folder at STATE_FILE: EISDIR): the runs go on from their copy and say so themselves, once; the watchdog has nothing to add', async () => {
    await pass(5, { monitor: true });
    const aside = `${world.stateFile}.aside`;
    renameSync(world.stateFile, aside);
    mkdirSync(world.stateFile);
    world.fail('http://video.example.com/during/eisdir.mp4');
    await pass(30, { monitor: true });
    const told = world.texts().filter((t) => /cannot read its state at .*state\.json \(EISDIR\)/.test(t));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain('STATE_FILE must name a file');
    expect(told[0]).toContain('repeats are possible');
    // The failure of the outage was told (from the copy), once.
    expect(world.listed().filter((l) => l.includes('/during/eisdir.mp4'))).toHaveLength(1);
    expect(said(OUTAGE)).toHaveLength(0);
    rmSync(world.stateFile, { recursive: true });
    renameSync(aside, world.stateFile);
    await pass(20, { monitor: true });
    expect(world.texts().filter((t) => /saves its state at .* again/.test(t))).toHaveLength(1);
    expect(world.listed().filter((l) => l.includes('/during/eisdir.mp4'))).toHaveLength(1);
  });

  it('a configuration the monitor refuses: seen from what the failure handler recorded', async () => {
    await pass(5, { monitor: true });
    world.env.VOD_CONCURRENCY = '99';
    const err = (await world.run().catch((e: unknown) => e)) as Error;
    const watchdog = world.built.createWatchdog({ env: world.env, now: world.clock.now, logDestination: world.sink.stream });
    await watchdog(
      Buffer.from(
        JSON.stringify({
          timestamp: world.clock.now(),
          requestContext: { requestId: 'r', condition: 'UnhandledInvocationError' },
          responsePayload: JSON.stringify({ errorMessage: err.message }),
        }),
      ),
      { credentials: FC_CREDENTIALS },
    );
    await pass(30, { monitor: true });
    expect(said(OUTAGE)).toHaveLength(1);
    expect(said(OUTAGE)[0]).toMatch(/the monitor refuses its configuration \(told at .*\): invalid configuration: VOD_CONCURRENCY/);
    delete world.env.VOD_CONCURRENCY;
    await pass(20, { monitor: true });
    expect(said(BACK)).toHaveLength(1);
  });

  it('good runs: nothing said, and a status request sends and writes nothing', async () => {
    await pass(30, { monitor: true });
    expect(said(OUTAGE)).toHaveLength(0);
    const before = world.ding.accepted.length;
    world.clock.advance(60 * MIN);
    const seen = await tick('{"status":true}');
    expect(seen).toMatchObject({ mode: 'status', announced: false, heartbeat: { outage: true, cause: { kind: 'absent' } } });
    expect(world.ding.accepted.length).toBe(before);
    expect(await tick()).toMatchObject({ mode: 'timer', announced: true, delivered: true });
  });
});
