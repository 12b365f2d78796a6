// What SLS shows of an error: the built bundle (dist/index.js, the folder s.yaml deploys) run in a fresh process with
// s.yaml's NODE_OPTIONS, as Function Compute runs it. A stack must name the TypeScript file and line, and a logged
// error must say what happened.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deployedNodeOptions } from '../../bench/deployed';

const ROOT = path.resolve(__dirname, '../..');
const BUNDLE = path.join(ROOT, 'dist/index.js');
const WEBHOOK = 'http://127.0.0.1:9/robot/send?access_token=stack-test-token';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** One invocation of the bundled handler in a child process; prints its log lines, then the report or the error's stack. */
function invoke(env: Record<string, string>, context: Record<string, unknown>, tmpDir?: string): { log: Array<Record<string, unknown>>; out: string } {
  const script = `
    const lines = [];
    const { createHandler } = require(${JSON.stringify(BUNDLE)});
    const handler = createHandler({ env: ${JSON.stringify(env)}, logDestination: { write: (l) => lines.push(l) }, sleep: async () => {}, tmpDir: ${JSON.stringify(tmpDir)} });
    const flush = () => process.stderr.write(lines.join(''));
    handler(Buffer.from('{}'), ${JSON.stringify(context)}).then(
      (r) => { flush(); process.stdout.write('report ' + r.status); },
      (e) => { flush(); process.stdout.write(e.stack); },
    );`;
  const r = spawnSync(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: deployedNodeOptions() },
    encoding: 'utf8',
    timeout: 20_000,
  });
  const log = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, out: r.stdout };
}

/** The 1-based line of `text` in a source file: where the stack must point. */
function lineOf(file: string, text: string): number {
  const lines = readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`${file} has no line with ${text}`);
  return i + 1;
}

describe('errors read in SLS, from the bundle run with the deployed NODE_OPTIONS', () => {
  it('a stack names the lib/ TypeScript file, its line and the function, not dist/index.js', () => {
    // no role in the context and no ALIBABA_CLOUD_* variables: lib/credentials.ts refuses
    const dir = mkdtempSync(path.join(tmpdir(), 'vrm-stacks-'));
    dirs.push(dir);
    const { out } = invoke({ DINGTALK_WEBHOOK: WEBHOOK, STATE_FILE: path.join(dir, 'state.json') }, { requestId: 'r1', function: { timeout: 30 } });
    expect(out).toMatch(/^ConfigError: invalid configuration:\n {2}credentials: none found/);
    const frames = out.split('\n').filter((l) => l.trim().startsWith('at '));
    expect(frames[0]).toMatch(
      new RegExp(`at credentialsFrom \\(.*[/\\\\]lib[/\\\\]credentials\\.ts:${lineOf('lib/credentials.ts', 'throw new ConfigError')}:\\d+\\)$`),
    );
    expect(frames[1]).toMatch(/[/\\]functions[/\\]refresh-monitor[/\\]index\.ts:\d+:\d+\)$/);
    expect(out).not.toContain('dist/index.js');
  });

  it('a logged error says what happened (an unreadable state, an unreachable VOD), never [object Object]', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vrm-stacks-'));
    dirs.push(dir);
    const stateFile = path.join(dir, 'state.json');
    mkdirSync(stateFile);
    const { log, out } = invoke(
      { DINGTALK_WEBHOOK: WEBHOOK, STATE_FILE: stateFile, VOD_ENDPOINT: 'http://127.0.0.1:9', ALERT_TIMEOUT_MS: '200' },
      { requestId: 'r2', credentials: { accessKeyId: 'LTAI5tStackTest', accessKeySecret: 'stack-test-secret-0123' }, function: { timeout: 30 } },
      dir,
    );
    expect(out).toBe('report degraded');
    expect(log.find((l) => l.event === 'state-io')?.io).toMatchObject({ op: 'read', errno: 'EISDIR' });
    const errors = log.filter((l) => l.err !== undefined);
    expect(errors.length).toBeGreaterThan(0);
    for (const l of errors) expect(l.err).toMatchObject({ message: expect.any(String), code: expect.stringMatching(/^[A-Z]/) });
    const text = JSON.stringify(log);
    expect(text).not.toContain('[object Object]');
    expect(text).not.toContain('stack-test-secret-0123');
    expect(text).not.toContain('stack-test-token');
  });
});
