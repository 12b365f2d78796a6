// review finding: a send is given one AbortSignal.timeout for everything — DNS, TCP connect, TLS handshake, request
// and answer (lib/notify/notifier.ts postJson) — and any timeout is "no answer (the message may have arrived)": not
// sent again in the run, and after a second such timeout counted as delivered (unconfirmed). When the robot cannot
// even be reached that way (egress or DNS hanging, a firewall dropping packets, a TLS handshake that never
// completes), nothing can have arrived, yet two runs of it drop every alert of those runs for good, with only an
// `alert-unconfirmed` log line. Here the robot's host takes the TCP connection and never answers the TLS handshake:
// no HTTP request is ever sent. The third run, the robot still unreachable, reports `ok` (nothing pending), so the
// heartbeat sees good runs and the watchdog never speaks. Only a timeout after the request was written may mean "it
// may have arrived".
import { createServer, type Server, type Socket } from 'node:net';
import { startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
let silent: Server;
const sockets: Socket[] = [];
afterEach(async () => {
  await world?.close();
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

it('two runs that could not even finish a TLS handshake with the robot: the failure is delivered once the robot is reachable', async () => {
  silent = createServer((s) => void sockets.push(s));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  world = await startWorld({ env: { ALERT_TIMEOUT_MS: '300' } });
  await world.run();
  const reachable = world.env.DINGTALK_WEBHOOK!;
  world.env.DINGTALK_WEBHOOK = `https://127.0.0.1:${port}/robot/send?access_token=${new URL(reachable).searchParams.get('access_token')}`;
  world.clock.advance(5 * MIN);
  const failed = world.fail('http://video.example.com/while-unreachable.mp4');
  for (let i = 0; i < 3; i++) {
    await world.run();
    world.clock.advance(5 * MIN);
  }
  world.env.DINGTALK_WEBHOOK = reachable;
  for (let i = 0; i < 2; i++) {
    await world.run();
    world.clock.advance(5 * MIN);
  }
  expect(sockets.length).toBeGreaterThan(0);
  expect(world.listed()).toContain(failed);
});
