// The CLI's entry point, bundled into build/cli.js. Output piped into `head` ends quietly: a closed stdout or stderr
// (EPIPE) is not a stack trace, and nothing more is written to it; but the command goes on to its end and exits with
// its own code. A wait that found a failure exits 1 even when `| head -20` or `| grep -q` stopped reading its output.
import { main } from '../lib/cli/main';

const closed = new Set<NodeJS.WriteStream>();
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    closed.add(stream);
  });
}

const line = (stream: NodeJS.WriteStream) => (text: string) => {
  if (!closed.has(stream)) stream.write(`${text}\n`);
};

/** stderr as a terminal, for `wait`'s progress line; none in a pipe. */
const terminal = process.stderr.isTTY
  ? {
      terminal: {
        write: (text: string) => void (closed.has(process.stderr) || process.stderr.write(text)),
        get columns() {
          return process.stderr.columns || 80;
        },
      },
    }
  : {};

/** Keys typed at a terminal (raw, so one key is one call; Ctrl-C arrives as \u0003), or lines from a pipe. */
function keys(onKey: (key: string) => void): () => void {
  const stdin = process.stdin;
  const raw = stdin.isTTY === true;
  if (raw) stdin.setRawMode(true);
  const onData = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    for (const key of raw
      ? [...text]
      : text
          .split(/\r?\n/)
          .map((l) => l.trim())
          .filter(Boolean))
      onKey(key);
  };
  stdin.on('data', onData);
  stdin.resume();
  return () => {
    stdin.off('data', onData);
    if (raw) stdin.setRawMode(false);
    stdin.pause();
  };
}

main(process.argv.slice(2), {
  stdout: line(process.stdout),
  stderr: line(process.stderr),
  env: process.env,
  now: Date.now,
  cwd: process.cwd(),
  keys,
  ...terminal,
}).then(
  (code) => {
    process.exitCode = code;
    // Keep-alive sockets of the API clients must not hold the process open once the answer is printed.
    setTimeout(() => process.exit(code), 2000).unref();
  },
  (err: unknown) => {
    if (!closed.has(process.stderr)) process.stderr.write(`vod-refresh-monitor: unexpected error: ${(err as Error)?.name ?? 'Error'}\n`);
    process.exitCode = 1;
  },
);
