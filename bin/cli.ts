// The CLI's entry point, bundled into build/cli.js. Output piped into `head` ends quietly: a closed stdout or stderr
// (EPIPE) ends the process with 0, as `yes | head` does, instead of a stack trace.
import { main } from '../lib/cli/main';

let closed = false;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closed = true;
    process.exit(0);
  });
}

const line = (stream: NodeJS.WriteStream) => (text: string) => {
  if (!closed) stream.write(`${text}\n`);
};

main(process.argv.slice(2), { stdout: line(process.stdout), stderr: line(process.stderr), env: process.env, now: Date.now, cwd: process.cwd() }).then(
  (code) => {
    process.exitCode = code;
    // Keep-alive sockets of the API clients must not hold the process open once the answer is printed.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`vod-refresh-monitor: unexpected error: ${(err as Error)?.name ?? 'Error'}\n`);
    process.exitCode = 1;
  },
);
