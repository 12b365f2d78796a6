// review finding: the commands the watchdog's messages give on-call cannot be run as written after the README's
// install. The README installs Serverless Devs with `npm ci` and calls it `npx s` everywhere, and
// docs/operations.md says `s logs` must name the function ("otherwise `s` runs the command for each function in
// turn"); the failure message says "look at the run in SLS: `s logs --request-id <id>`". Likewise the CLI prints
// `vod-refresh-monitor wait …`, `vod-refresh-monitor status`, `vod-refresh-monitor test-alert` without `npx`
// (test/cli/wait/wait-again-command.test.ts). Built bundle, both simulators.
import { FC_CREDENTIALS, startWorld } from '../helpers/world';

type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

it('a crashed run: the fix is `npx s vod-refresh-monitor logs --request-id <the run>`', async () => {
  world = await startWorld();
  const watchdog = world.built.createWatchdog({ env: world.env, now: world.clock.now, logDestination: world.sink.stream });
  const failure = {
    timestamp: world.clock.now(),
    requestContext: { requestId: 'run-7f3a', condition: 'UnhandledInvocationError', approximateInvokeCount: 2 },
    responseContext: { functionError: 'Unhandled' },
    responsePayload: JSON.stringify({ errorMessage: 'TypeError: Cannot read properties of undefined', errorType: 'TypeError' }),
  };
  await watchdog(Buffer.from(JSON.stringify(failure)), { requestId: 'dest-1', credentials: FC_CREDENTIALS });
  const text = world.texts().join('\n');
  expect(text).toContain('run-7f3a');
  const commands = [...text.matchAll(/`([^`]*logs[^`]*)`/g)].map((m) => m[1]);
  expect(commands.length).toBeGreaterThan(0);
  for (const c of commands) expect(c).toMatch(/^npx s vod-refresh-monitor logs --request-id run-7f3a$/);
});
