// What `local`'s Function Compute deploys: s.yaml read as Serverless Devs renders it (checked against the real
// `s preview`), and a timer that fires on its cron's own marks.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { keyAction } from '../../lib/cli/local/keys';
import { type SetTimer, startTimer } from '../../lib/cli/local/timer';
import { CronError, nextCronMark } from '../../sim/fc/cron';
import { readSYaml, SYamlError } from '../../sim/fc/s-yaml';
import { quietSHome } from '../deploy/s-home';

const ROOT = path.resolve(__dirname, '../..');
const S_YAML = readFileSync(path.join(ROOT, 's.yaml'), 'utf8');
const S_CLI = path.join(ROOT, 'node_modules', '.bin', 's');
const at = (text: string) => Date.parse(text);

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
});

/** s.yaml rendered by the real `s preview` (offline), in a clean folder and environment. */
function sPreview(env: Record<string, string>): { resources: Record<string, { props: Record<string, unknown> }> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'vrm-local-s-'));
  scratch.push(dir);
  copyFileSync(path.join(ROOT, 's.yaml'), path.join(dir, 's.yaml'));
  const out = path.join(dir, 'out.json');
  const r = spawnSync(S_CLI, ['preview', '-t', 's.yaml', '-o', 'json', '--output-file', out, '--silent'], {
    cwd: dir,
    env: { PATH: process.env.PATH, ...quietSHome(path.join(dir, 'home')), ...env },
    encoding: 'utf8',
  });
  expect(r.status).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8'));
}

describe("s.yaml, as local's Function Compute reads it", () => {
  it.each<[string, Record<string, string>]>([
    ['the defaults', {}],
    ['MONITOR_EVERY_MINUTES=1 and an account id', { MONITOR_EVERY_MINUTES: '1', FC_ACCOUNT_ID: '1234567890123456' }],
  ])('resolves like `s preview` with %s', (_why, env) => {
    const rendered = sPreview({ FC_ROLE_ARN: 'acs:ram::1:role/r', STATE_BUCKET: 'b', ...env });
    const ours = readSYaml(S_YAML, env);
    expect(ours.map((f) => f.resource).sort()).toEqual(Object.keys(rendered.resources).sort());
    for (const f of ours) {
      const p = rendered.resources[f.resource]!.props as Record<string, unknown> & { triggers?: Array<{ triggerName: string; triggerConfig: object }> };
      expect({ functionName: f.functionName, handler: f.handler, runtime: f.runtime, memorySize: f.memorySize, timeout: f.timeout }).toEqual({
        functionName: p.functionName,
        handler: p.handler,
        runtime: p.runtime,
        memorySize: p.memorySize,
        timeout: p.timeout,
      });
      expect(
        f.timers.map((t) => ({ triggerName: t.triggerName, triggerConfig: { cronExpression: t.cronExpression, enable: t.enable, payload: t.payload } })),
      ).toEqual((p.triggers ?? []).map((t) => ({ triggerName: t.triggerName, triggerConfig: t.triggerConfig })));
      expect(f.asyncInvokeConfig).toEqual(p.asyncInvokeConfig);
    }
  });

  it('gives the monitor the memory, timeout and cron s.yaml says', () => {
    const monitor = readSYaml(S_YAML, {}).find((f) => f.handler === 'index.handler')!;
    expect([monitor.memorySize, monitor.timeout, monitor.timers[0]!.cronExpression]).toEqual([256, 120, 'CRON_TZ=Asia/Shanghai 0 */5 * * * *']);
    expect(readSYaml(S_YAML, { MONITOR_EVERY_MINUTES: '' }).find((f) => f.handler === 'index.handler')!.timers[0]!.cronExpression).toContain('*/5');
  });

  it.each<[string, string, RegExp]>([
    [
      'a required variable of a field it reads',
      "    functionName: ${env('FN_NAME')}",
      /functionName needs FN_NAME \(env\('FN_NAME'\) has no default\): export it/,
    ],
    [
      'memory that is not a multiple of 64',
      '    memorySize: 200',
      /memorySize is "200"; Function Compute takes a whole number from 128 to 32768, a multiple of 64/,
    ],
    [
      'a placeholder it cannot resolve',
      '    timeout: ${resources.x.output.timeout}',
      /uses \$\{resources\.x\.output\.timeout\}, which this reader does not resolve/,
    ],
  ])('refuses %s, naming the field', (_why, line, message) => {
    const key = line.trim().split(':')[0]!;
    const text =
      `edition: 3.0.0\nresources:\n  m:\n    component: fc3\n    props:\n      functionName: m\n      handler: index.handler\n      runtime: nodejs20\n      memorySize: 256\n      timeout: 30\n`
        .split('\n')
        .map((l) => (l.trim().startsWith(`${key}:`) ? `  ${line}` : l))
        .join('\n');
    expect(() => readSYaml(text, {})).toThrow(SYamlError);
    expect(() => readSYaml(text, {})).toThrow(message);
  });

  it('does not need the variables of fields it does not read (FC_ROLE_ARN, STATE_BUCKET)', () => {
    expect(() => readSYaml(S_YAML, {})).not.toThrow();
  });
});

describe('the timer marks', () => {
  it.each<[string, string, string]>([
    ['CRON_TZ=Asia/Shanghai 0 */5 * * * *', '2026-12-01T02:03:17.250Z', '2026-12-01T02:05:00.000Z'],
    ['CRON_TZ=Asia/Shanghai 0 */5 * * * *', '2026-12-01T02:05:00.000Z', '2026-12-01T02:10:00.000Z'],
    ['CRON_TZ=Asia/Shanghai 0 */5 * * * *', '2026-12-01T02:04:59.999Z', '2026-12-01T02:05:00.000Z'],
    ['CRON_TZ=Asia/Shanghai 0 */1 * * * *', '2026-12-01T02:03:17.000Z', '2026-12-01T02:04:00.000Z'],
    ['0 */5 * * * *', '2026-12-01T23:58:00.000Z', '2026-12-02T00:00:00.000Z'],
    ['30 0 9 * * *', '2026-12-01T09:00:31.000Z', '2026-12-02T09:00:30.000Z'],
    ['CRON_TZ=Asia/Shanghai 0 30 9 * * ?', '2026-12-01T00:00:00.000Z', '2026-12-01T01:30:00.000Z'],
    ['0 10-20/5,45 * * * *', '2026-12-01T02:21:00.000Z', '2026-12-01T02:45:00.000Z'],
    ['@every 5m', '2026-12-01T02:03:17.000Z', '2026-12-01T02:05:00.000Z'],
  ])('%s after %s is %s', (cron, after, expected) => {
    expect(new Date(nextCronMark(cron, at(after))).toISOString()).toBe(expected);
  });

  it.each(['0 */5 * * *', '0 */5 * * * 1-5', 'CRON_TZ=Europe/Paris 0 * * * * *', '0 61 * * * *', 'every 5 minutes'])('refuses %j', (cron) => {
    expect(() => nextCronMark(cron, 0)).toThrow(CronError);
  });

  it('is the first matching second after the given time, and no matching second lies between', () => {
    const step = fc.constantFrom('*', '*/2', '*/5', '*/15', '7', '0,30', '10-20', '5-50/9');
    fc.assert(
      fc.property(step, step, fc.integer({ min: 0, max: 3 * 86_400_000 }), (sec, min, offset) => {
        const cron = `${sec} ${min} * * * *`;
        const after = at('2026-12-01T00:00:00Z') + offset;
        const next = nextCronMark(cron, after);
        // A naive reading of each field, apart from the one under test: the set of values it allows.
        const allowed = (f: string) =>
          new Set(
            Array.from({ length: 60 }, (_, v) => v).filter((v) =>
              f.split(',').some((p) => {
                const [range, by] = p.split('/');
                const [a, b] = range === '*' ? [0, 59] : range!.includes('-') ? range!.split('-').map(Number) : [Number(range), by ? 59 : Number(range)];
                return v >= a! && v <= b! && (v - a!) % Number(by ?? 1) === 0;
              }),
            ),
          );
        const [secs, mins] = [allowed(sec), allowed(min)];
        const matches = (ms: number) => ms % 1000 === 0 && secs.has(Math.floor(ms / 1000) % 60) && mins.has(Math.floor(ms / 60_000) % 60);
        expect(next).toBeGreaterThan(after);
        expect(matches(next)).toBe(true);
        let earlier: number | null = null;
        for (let t = Math.floor(after / 1000) * 1000 + 1000; t < next && earlier === null; t += 1000) if (matches(t)) earlier = t;
        expect(earlier).toBeNull();
      }),
      { numRuns: 60 },
    );
  });

  it('fires on every mark, never at an offset from its start, and stops when told', async () => {
    let now = at('2026-12-01T02:03:17.250Z');
    const pending: Array<{ fn: () => void; atMs: number }> = [];
    const setTimer: SetTimer = (fn, ms) => {
      const entry = { fn, atMs: now + ms };
      pending.push(entry);
      return () => pending.splice(pending.indexOf(entry), 1);
    };
    const fired: string[] = [];
    const stop = startTimer(
      'CRON_TZ=Asia/Shanghai 0 */5 * * * *',
      () => now,
      async (mark) => void fired.push(new Date(mark).toISOString()),
      setTimer,
    );
    for (let i = 0; i < 3; i++) {
      const next = pending.shift()!;
      // A timer that wakes 3 ms early must not fire the same mark twice.
      now = next.atMs - 3;
      next.fn();
      await new Promise((r) => setImmediate(r));
    }
    expect(fired).toEqual(['2026-12-01T02:05:00.000Z', '2026-12-01T02:10:00.000Z', '2026-12-01T02:15:00.000Z']);
    stop();
    expect(pending).toHaveLength(0);
  });
});

describe('the keys of local', () => {
  it.each<[string, string | null]>([
    ['f', 'fail'],
    ['F', 'fail'],
    ['hang', 'hang'],
    ['r', 'recover'],
    ['m', 'merged'],
    ['t', 'run'],
    ['?', 'help'],
    ['q', 'quit'],
    ['\u0003', 'quit'],
    ['x', null],
    ['', null],
  ])('%j asks for %s', (key, action) => expect(keyAction(key)).toBe(action));
});
