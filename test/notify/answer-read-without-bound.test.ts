// review finding: postJson (lib/notify/notifier.ts) keeps every chunk of the robot's answer until it ends, with no
// bound. An answer that is not a robot's (a misrouted ALERT_WEBHOOK_URL serving a file, a proxy error page streaming,
// a broken gateway) grows the heap without limit until the send's timeout: in a 128 MB function with
// --max-old-space-size=150 (s.yaml) the run is killed mid-delivery, after the robot may have taken the message and
// before the state is saved — and the next run does it again, every run. A DingTalk or WeCom answer is a few hundred
// bytes: reading more than a small bound (say 64 KiB) should stop, destroy the request, and classify what was read.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { postJson } from '../../lib/notify/notifier';

let server: Server;
afterEach(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const MB = 1024 * 1024;
const ANSWER = 48 * MB;

it('stops reading an answer far larger than any robot sends', async () => {
  let writtenWhole = false;
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(ANSWER) });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < ANSWER) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end(() => {
          writtenWhole = true;
        });
      };
      res.on('error', () => undefined);
      pump();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await postJson(`http://127.0.0.1:${port}/hook`, { text: 'x' }, 20_000);
  // 48 MB cannot sit in the socket buffers: the whole answer was written only if the client read it all.
  expect(writtenWhole).toBe(false);
});
