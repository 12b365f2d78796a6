import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FC_CREDENTIALS } from '../helpers/world';
import { type CliWorld, startCliWorld } from './world';

const ROOT = path.join(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/vod-refresh-monitor.js');
const CLI = path.join(ROOT, 'build/cli.js');
const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
// TMPDIR: the test's own temp dir, so that what a child leaves there is found and removed.
const bare = { PATH: process.env.PATH, TMPDIR: tmpdir() };
// The CLI reads .env from its working folder: run it where none is, so a developer's .env cannot change a result.
const cwd = __dirname;

/** Runs the built CLI in a child process; resolves with its exit code and output. */
async function spawnCli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn('node', [CLI, ...args], { cwd, env: { ...bare, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, out, err };
}

describe('the built CLI', () => {
  it.each(['run', 'tasks', 'test-alert', 'doctor', 'setup', 'status', 'invoke', 'local', 'wait', 'refresh', 'preload'])(
    '%s --help names the command, --verbose and the exit codes',
    (cmd) => {
      const r = spawnSync('node', [BIN, cmd, '--help'], { cwd, encoding: 'utf8', env: bare });
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`Usage: vod-refresh-monitor ${cmd}`);
      expect(r.stdout).toContain('--verbose');
      expect(r.stdout).toContain('Exit codes: 0 ok; 1 a problem was found');
    },
  );

  it('--version prints the package version', () => {
    const r = spawnSync('node', [BIN, '--version'], { cwd, encoding: 'utf8', env: bare });
    expect([r.status, r.stdout.trim()]).toEqual([0, version]);
  });

  it('exits 2 with the command list when given nothing, and 2 naming the variable on bad configuration', () => {
    const none = spawnSync('node', [BIN], { cwd, encoding: 'utf8', env: bare });
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('Commands:');
    const bad = spawnSync('node', [BIN, 'run'], { cwd, encoding: 'utf8', env: bare });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('DINGTALK_WEBHOOK: is required when ALERT_CHANNEL is dingtalk');
  });
});

describe('the built CLI against the local services', () => {
  let w: CliWorld;
  beforeEach(async () => {
    w = await startCliWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  it('ends quietly with 0 when the reader of its output goes away early (tasks | head)', async () => {
    const now = w.world.clock.now();
    w.world.vod.store.addMany(
      Array.from({ length: 6000 }, (_, i) => ({
        ObjectPath: `http://video.example.com/many/${i}/a-rather-long-segment-name.ts`,
        creationMs: now - 3600_000 + i * 100,
      })),
    );
    const child: ChildProcess = spawn('node', [CLI, 'tasks', '--since', '2h'], { cwd, env: { ...bare, ...w.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout!.once('data', () => child.stdout!.destroy());
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(err).not.toMatch(/EPIPE|Error|\n\s+at /);
  }, 60_000);

  it('wait in a pipe prints the summary only, and exits with the outcome', async () => {
    const done = w.world.vod.store.add({ ObjectPath: 'http://video.example.com/done.mp4', creationMs: w.world.clock.now() - 60_000 });
    const failed = w.world.vod.store.add({ ObjectPath: 'http://video.example.com/bad.mp4', creationMs: w.world.clock.now() - 60_000, Status: 'Failed' });
    const ok = await spawnCli(['wait', '--task-id', done.TaskId], w.env);
    expect([ok.code, ok.out.trim().split('\n').length, ok.err]).toEqual([0, 1, '']);
    const bad = await spawnCli(['wait', '--task-id', `${done.TaskId},${failed.TaskId}`, '--json'], w.env);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.out)).toMatchObject({ outcome: 'failed', counts: { complete: 1, failed: 1 } });
  });

  it('is quiet by default; --verbose and LOG_LEVEL=debug put redacted JSON log lines on stderr', async () => {
    w.world.vod.faults.queue.push({ kind: 'throttle' });
    const quiet = await spawnCli(['tasks'], w.env);
    expect(quiet.code).toBe(0);
    expect(quiet.err).not.toContain('{"level"');
    w.world.vod.faults.queue.push({ kind: 'throttle' });
    const verbose = await spawnCli(['tasks', '--verbose'], w.env);
    expect(verbose.err).toMatch(/"event":"vod-retry"/);
    for (const loud of [verbose, await spawnCli(['run', '--dry-run'], { ...w.env, LOG_LEVEL: 'debug' })]) {
      const lines = loud.err.split('\n').filter((l) => l.startsWith('{'));
      expect(lines.length).toBeGreaterThan(0);
      for (const l of lines) expect(JSON.parse(l)).toHaveProperty('level');
      expect(loud.err).not.toContain(FC_CREDENTIALS.accessKeySecret);
      expect(loud.err).not.toContain(FC_CREDENTIALS.securityToken);
      expect(loud.out).not.toContain('{"level"');
    }
  }, 60_000);
});

describe('local', () => {
  it('starts the simulators, prints the exports, and the other commands work against them; SIGTERM stops it with 0', async () => {
    const child = spawn('node', [CLI, 'local'], { env: bare, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('# ready')) resolve();
        });
        child.once('exit', () => reject(new Error(`local exited early: ${out}`)));
      });
      const env = Object.fromEntries([...out.matchAll(/^export ([A-Z_0-9]+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
      expect(Object.keys(env)).toEqual(
        expect.arrayContaining([
          'VOD_ENDPOINT',
          'DINGTALK_WEBHOOK',
          'DINGTALK_SECRET',
          'DINGTALK_KEYWORDS',
          'ALIBABA_CLOUD_ACCESS_KEY_ID',
          'ALIBABA_CLOUD_ACCESS_KEY_SECRET',
          'FC_ENDPOINT',
          'FC_ACCOUNT_ID',
          'STATE_FILE',
        ]),
      );
      expect(
        out
          .split('\n')
          .filter(Boolean)
          .every((l) => /^(#|export |unset )/.test(l)),
      ).toBe(true);
      for (const args of [['doctor', '--no-send'], ['tasks', '--since', '3d'], ['status'], ['invoke']]) {
        const r = await spawnCli(args, env);
        expect({ args, code: r.code, err: r.code === 0 ? '' : `${r.out}\n${r.err}` }).toEqual({ args, code: 0, err: '' });
      }
      const failed = await spawnCli(['tasks', '--since', '3d', '--status', 'Failed', '--json'], env);
      expect((JSON.parse(failed.out) as unknown[]).length).toBeGreaterThan(3);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 60_000);
});
