// review finding: postJson (lib/notify/notifier.ts) says only silence after the request went out may mean it
// arrived, and takes every connection error for "could not reach the robot", tried again. But a robot that has
// already answered — status 200, its headers and part of its body read — has taken the message: when the connection
// then breaks (a proxy's idle cut, a gateway restart mid-answer), the result is `retryable` "could not reach the robot
// (ECONNRESET)", and deliver() sends the same message again at once, in the same run, without the "Possibly a repeat"
// label — a repeat docs/operations.md ("Exactly once, and its limits") does not admit, and a false reason in the log.
// An answer broken after its status line has been read should count as "may have arrived" (kind `timeout`).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postJson } from '../../lib/notify/notifier';

let server: Server;
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

it('an answer cut short after its 200 status is not taken for a robot that could not be reached', async () => {
  let received = 0;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"errcode":0,');
      setImmediate(() => res.socket?.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const result = await postJson(`http://127.0.0.1:${port}/robot/send?access_token=t`, { msgtype: 'text' }, 5000);
  expect(received).toBe(1);
  expect(result).not.toMatchObject({ ok: false, kind: 'retryable' });
});
