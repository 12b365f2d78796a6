// review finding: the built CLI ends with exit code 0 whenever its stdout is closed before it has written everything
// (bin/cli.ts: EPIPE -> process.exit(0), "as `yes | head` does" — but `yes` dies of SIGPIPE, status 141, not 0). For
// `tasks | head` that is harmless; for `wait`, whose exit code is the product ("exit 1 when a URL failed"), it turns a
// failed refresh into a pass: `npx vod-refresh-monitor wait --task-id … | head -20` (trimming a CI log) or
// `… | grep -q FAILED` exits 0, and with `set -o pipefail` the deploy goes on. A closed stdout must not change the
// exit code of a command that decided it (or should end with 141 / a non-zero code).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type CliWorld, startCliWorld } from '../world';

const CLI = path.join(__dirname, '../../../build/cli.js');
let w: CliWorld;
beforeEach(async () => {
  w = await startCliWorld();
});
afterEach(async () => {
  await w.close();
});

it('wait on a task whose URL failed exits non-zero even when the reader of its output goes away (| head -1)', async () => {
  const row = w.world.vod.store.add({
    ObjectPath: 'http://video.example.com/release/broken.mp4',
    creationMs: w.world.clock.now() - 60_000,
    Status: 'Failed',
    Description: 'Origin Timeout',
  });
  const env = { PATH: process.env.PATH, TMPDIR: tmpdir(), ...w.env };
  const child = spawn('node', [CLI, 'wait', '--task-id', row.TaskId], { cwd: __dirname, env, stdio: ['ignore', 'pipe', 'ignore'] });
  child.stdout.once('data', () => child.stdout.destroy());
  const [code] = (await once(child, 'exit')) as [number | null];
  expect(code).not.toBe(0);
}, 30_000);
