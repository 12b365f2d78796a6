// A watchdog that cannot keep watchdog.json, told of failed runs as Function Compute tells them: each event arrives
// minutes after its run's tick (two attempts of a 120 s timeout), and carries that tick in requestPayload. The first
// failed run after the good one is told, once, however late its event; the memory problem is said with it. Built
// bundle, both simulators.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FC_CREDENTIALS, startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
const forgetCopies = () => {
  for (const f of readdirSync(tmpdir())) if (f.startsWith('vod-refresh-monitor-watchdog-')) rmSync(path.join(tmpdir(), f), { force: true });
};
afterEach(async () => {
  await world?.close();
  forgetCopies();
});

it('failed runs whose events arrive 4.5 min after their tick: the first after the good run is told once, with the memory problem', async () => {
  world = await startWorld();
  const goodTick = world.clock.now();
  await world.run();
  mkdirSync(path.join(world.dir, 'watchdog.json'));
  const reports: Record<string, unknown>[] = [];
  for (let k = 1; k <= 8; k++) {
    world.clock.advance(goodTick + k * 5 * MIN + 4.5 * MIN - world.clock.now());
    forgetCopies();
    const watchdog = world.built.createWatchdog({ env: world.env, now: world.clock.now, logDestination: world.sink.stream });
    const tick = { triggerTime: new Date(goodTick + k * 5 * MIN).toISOString(), triggerName: 'monitor-timer', payload: '{}' };
    const failure = {
      timestamp: world.clock.now(),
      requestContext: { requestId: `run-${k}`, condition: 'FunctionTimeout', approximateInvokeCount: 2 },
      requestPayload: JSON.stringify(tick),
      responseContext: { functionError: 'Unhandled' },
      responsePayload: JSON.stringify({ errorMessage: 'Function timed out after 120 seconds' }),
    };
    reports.push(await watchdog(Buffer.from(JSON.stringify(failure)), { requestId: `dest-${k}`, credentials: FC_CREDENTIALS }));
  }
  const told = world.texts().filter((t) => /timed out/.test(t));
  expect(told).toHaveLength(1);
  expect(told[0]).toContain('run-1');
  expect(told[0]).toMatch(/The watchdog cannot keep its memory: \S+watchdog\.json gives EISDIR\. Check: a folder stands at/);
  expect(reports.map((r) => r.announced)).toEqual([true, false, false, false, false, false, false, false]);
});
