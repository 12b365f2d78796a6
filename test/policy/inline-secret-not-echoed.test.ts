import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stateText } from '../helpers/state-files';
import { startWorld } from '../helpers/world';

// "Secrets stay out of the file": a literal webhook where a ${NAME} reference belongs is refused with a message
// that does not repeat it (schema.ts, secretRef's custom message). But a webhook written in the wrong *shape* (a
// string where the schema wants an object: `dingtalk: <url>`, `webhook: <url>`) is refused by valibot's default
// message, "Invalid type: Expected Object but received "<the value>"", which load.ts copies into the problems; the
// run then sends those problems, verbatim, in the AlertingConfigInvalid notice to the environment's robot, keeps
// them in the state file's outbox, and logs them (the log only masks ?access_token=, not a token in a URL path).

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

const TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9';
const HOOK_SECRET = 'XyZzY-hook-path-secret-4242';

it('a receiver written with its webhook inline (the wrong shape) is refused without repeating the secret anywhere', async () => {
  world = await startWorld();
  const file = path.join(world.dir, 'alerting.yaml');
  writeFileSync(
    file,
    [
      'receivers:',
      '  - name: video-team',
      `    dingtalk: https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}`,
      '  - name: ops',
      `    webhook: https://hooks.example.com/services/T0001/${HOOK_SECRET}`,
      'route:',
      '  receiver: ops',
    ].join('\n'),
  );
  world.env.ALERTING_CONFIG = file;
  await world.run();
  world.clock.advance(5 * MIN);
  world.fail('http://video.example.com/x.mp4');
  world.ding.down = true; // the robot is down for a run: the notice waits in the state's outbox
  await world.run(undefined, undefined, 10);
  const state = stateText(world.stateFile);
  world.ding.down = false;
  world.clock.advance(5 * MIN);
  await world.run();
  const messages = world.texts().join('\n');
  expect(messages).toContain('ALERTING_CONFIG'); // the fallback notice did go out
  const logs = world.sink.text();
  const leaks = (s: string) => [TOKEN, HOOK_SECRET].filter((x) => s.includes(x)).map((x) => (x === TOKEN ? 'access_token' : 'hook path secret'));
  expect({ message: leaks(messages), stateFile: leaks(state), logs: leaks(logs) }).toEqual({ message: [], stateFile: [], logs: [] });
});
