// s.yaml as Serverless Devs renders it: the real `s preview` (offline: it only parses and renders the template), run
// in a clean environment (PATH, a temporary HOME and the variables under test, nothing else), then checked against
// the fc3 schema and against what the function reads.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { deployedNodeOptions, monitorMemoryMb } from '../../bench/deployed';
import * as bundle from '../../functions';
import { cronEveryMinutes } from '../../lib/cli/status/cadence';
import { loadAlertConfig, loadConfig, VARIABLES, variableDocs } from '../../lib/config';
import { loadAlerting } from '../../lib/policy/load';
import { classifyEvent } from '../../lib/watchdog/event';
import { quietSHome } from './s-home';

const ROOT = path.resolve(__dirname, '../..');
const S_CLI = path.join(ROOT, 'node_modules', '.bin', 's');
/** The offline fc3 checker: where CHECK_S_YAML says, else the one beside the repository when there is one there. */
const BESIDE = path.resolve(__dirname, '../../../shared/tools/check-s-yaml');
const CHECK_TOOL = process.env.CHECK_S_YAML || (existsSync(BESIDE) ? BESIDE : null);
const SCHEMA = path.resolve(__dirname, '../../../shared/reference/fc3-s-yaml.schema.json');

const MONITOR = 'vod-refresh-monitor';
const WATCHDOG = 'vod-refresh-monitor-watchdog';
const STATE_FILE = '/mnt/vod-refresh-monitor/state.json';

/**
 * The key `s` deploys with, as step 1 gives it: here as Serverless Devs' environment access (AccessKeyID,
 * AccessKeySecret, AccountID, all three), which needs no network, where `s config add` asks STS for the AccountID.
 */
const ACCESS = { AccessKeyID: 'LTAI5tPreviewOnly01', AccessKeySecret: 'preview-only-secret', AccountID: '1234567890123456' } as const;

/** The only variables `s deploy` needs from the shell. */
const REQUIRED = {
  FC_ROLE_ARN: 'acs:ram::1234567890123456:role/r',
  STATE_BUCKET: 'b',
  DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=t',
} as const;

interface Props {
  functionName: string;
  handler: string;
  code: string;
  runtime: string;
  memorySize: number;
  timeout: number;
  role: string;
  environmentVariables: Record<string, unknown>;
  asyncInvokeConfig?: { maxAsyncRetryAttempts?: number; maxAsyncEventAgeInSeconds?: number; destinationConfig?: { onFailure?: { destination?: string } } };
  concurrencyConfig?: { reservedConcurrency?: number };
  ossMountConfig?: { mountPoints: Array<{ bucketName: string; mountDir: string }> };
  triggers?: Array<{ triggerName?: string; triggerType: string; triggerConfig: { cronExpression: string; enable?: boolean; payload?: string } }>;
}
interface Rendered {
  resources: Record<string, { component: string; props: Props }>;
  actions?: Record<string, Array<{ run?: string; path?: string }>>;
}

interface Preview {
  status: number | null;
  output: string;
  file: string;
  doc: Rendered | null;
}

const scratch: string[] = [];
afterAll(() => {
  // `s` can leave a background writer in its HOME for a moment after it exits (ENOTEMPTY): retry, never fail on cleanup.
  for (const dir of scratch) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    } catch {
      // a temporary folder left behind is not a test failure
    }
  }
});

/**
 * Runs `s preview -o json --output-file <file>` on a copy of s.yaml in a fresh folder (so a developer's `.env` beside
 * the real s.yaml, which `s` loads, cannot leak in), with only PATH, a temporary HOME and `vars` in the environment.
 */
function preview(vars: Record<string, string>, dotenv?: string): Preview {
  const dir = mkdtempSync(path.join(tmpdir(), 'vrm-s-preview-'));
  scratch.push(dir);
  const home = path.join(dir, 'home');
  mkdirSync(home);
  const template = path.join(dir, 's.yaml');
  copyFileSync(path.join(ROOT, 's.yaml'), template);
  if (dotenv !== undefined) writeFileSync(path.join(dir, '.env'), dotenv);
  const file = path.join(dir, 'rendered.json');
  const r = spawnSync(S_CLI, ['preview', '-t', template, '-o', 'json', '--output-file', file, '--silent'], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', ...quietSHome(home), ...vars },
    encoding: 'utf8',
    timeout: 50_000,
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
  const doc = r.status === 0 && existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Rendered) : null;
  return { status: r.status, output, file, doc };
}

function propsOf(doc: Rendered | null, name: string): Props {
  const resource = doc?.resources[name];
  if (!resource) throw new Error(`the rendered s.yaml has no resource ${name}`);
  return resource.props;
}

const envOf = (doc: Rendered | null, name: string) => propsOf(doc, name).environmentVariables;

/**
 * How the rendered document is checked against the fc3 schema on this machine, or why it cannot be (in one line that
 * names no path this machine does not have).
 */
function schemaCheck(): { how: string; run: (file: string) => { status: number | null; output: string } } | { how: null; why: string } {
  const tool = CHECK_TOOL;
  if (tool)
    return { how: tool === BESIDE ? 'shared/tools/check-s-yaml' : 'CHECK_S_YAML', run: (file) => collect(spawnSync(tool, [file], { encoding: 'utf8' })) };
  if (!existsSync(SCHEMA)) return { how: null, why: 'no fc3 checker beside this clone: set CHECK_S_YAML to one' };
  const probe = spawnSync('python3', ['-c', 'import yaml, jsonschema'], { encoding: 'utf8' });
  if (probe.status !== 0)
    return { how: null, why: 'no fc3 checker beside this clone (set CHECK_S_YAML), and no python3 with PyYAML and jsonschema for its schema' };
  // The same check the tool makes on each fc3 resource: its props against the component's JSON schema (draft 7).
  const script = [
    'import json, sys, jsonschema',
    'schema = json.load(open(sys.argv[1], encoding="utf-8"))',
    'doc = json.load(open(sys.argv[2], encoding="utf-8"))',
    'bad = []',
    'for name, r in (doc.get("resources") or {}).items():',
    '    if r.get("component") != "fc3": continue',
    '    for e in jsonschema.Draft7Validator(schema).iter_errors(r.get("props") or {}):',
    '        bad.append(name + ".props." + ".".join(str(p) for p in e.path) + ": " + e.message)',
    'print("\\n".join(bad) or "valid")',
    'sys.exit(1 if bad else 0)',
  ].join('\n');
  return { how: 'shared/reference/fc3-s-yaml.schema.json', run: (file) => collect(spawnSync('python3', ['-c', script, SCHEMA, file], { encoding: 'utf8' })) };
}

function collect(r: ReturnType<typeof spawnSync>) {
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

const docs = new Map(variableDocs().map((d) => [d.name, d.default]));
const OPTIONAL = VARIABLES.filter((name) => name !== 'DINGTALK_WEBHOOK' && name !== 'STATE_FILE');

describe('s.yaml rendered by `s preview` with only the required variables', () => {
  let base: Preview;
  beforeAll(() => {
    base = preview({ ...REQUIRED });
  });

  it('renders offline in a clean environment', () => {
    expect({ status: base.status, output: base.output }).toEqual({ status: 0, output: expect.any(String) });
    expect(base.doc).not.toBeNull();
    expect(Object.keys(base.doc?.resources ?? {})).toEqual([WATCHDOG, MONITOR]);
  });

  const check = schemaCheck();
  if (check.how === null) {
    it.skip(`passes the fc3 schema check (skipped: ${check.why})`, () => {});
  } else {
    it(`passes the fc3 schema check (${check.how})`, () => {
      expect(base.status).toBe(0);
      const r = check.run(base.file);
      expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.stringMatching(/valid/) });
    });
  }

  it.each([MONITOR, WATCHDOG])('gives %s every variable the function reads', (name) => {
    const env = envOf(base.doc, name);
    expect(
      Object.keys(env)
        .filter((k) => (VARIABLES as string[]).includes(k))
        .sort(),
    ).toEqual([...VARIABLES].sort());
    expect(env.DINGTALK_WEBHOOK).toBe(REQUIRED.DINGTALK_WEBHOOK);
    expect(env.STATE_FILE).toBe(STATE_FILE);
    for (const key of OPTIONAL) {
      const value = env[key];
      // '' is read as unset by the function, which then applies its default; an unrendered `${env(...)}` or an
      // error text would be read as a value.
      expect({ key, ok: value === '' || value === docs.get(key) }).toEqual({ key, ok: true });
    }
  });

  it.each([MONITOR, WATCHDOG])('gives %s string values only', (name) => {
    for (const [key, value] of Object.entries(envOf(base.doc, name))) {
      expect({ key, type: typeof value }).toEqual({ key, type: 'string' });
      expect(String(value)).not.toMatch(/\$\{|RuntimeError|not found/);
    }
  });

  it('gives both functions the same variables', () => {
    expect(envOf(base.doc, WATCHDOG)).toEqual(envOf(base.doc, MONITOR));
  });

  it('renders variables the function accepts as they are', () => {
    const monitorEnv = envOf(base.doc, MONITOR) as Record<string, string>;
    const watchdogEnv = envOf(base.doc, WATCHDOG) as Record<string, string>;
    const config = loadConfig(monitorEnv);
    expect(config.stateFile).toBe(STATE_FILE);
    expect(config.alert.url).toBe(REQUIRED.DINGTALK_WEBHOOK);
    expect(loadAlertConfig(watchdogEnv).stateFile).toBe(STATE_FILE);
  });

  it('renders nothing the function warns about (an empty variable is unset)', () => {
    expect(loadConfig(envOf(base.doc, MONITOR) as Record<string, string>).warnings).toEqual([]);
  });

  it('runs the deploy check before `s deploy` deploys anything', () => {
    expect(base.doc?.actions?.['pre-deploy']).toEqual([{ run: 'node bin/vod-refresh-monitor.js check', path: './' }]);
  });

  it("sends the monitor's failed runs to the watchdog, named by the full ARN with the access's account", () => {
    const r = preview({ ...REQUIRED, ...ACCESS });
    const monitor = propsOf(r.doc, MONITOR);
    const watchdog = propsOf(r.doc, WATCHDOG);
    expect(watchdog.functionName).toBe(WATCHDOG);
    const destination = monitor.asyncInvokeConfig?.destinationConfig?.onFailure?.destination;
    expect(destination).toBe(`acs:fc:cn-shanghai:${ACCESS.AccountID}:functions/${watchdog.functionName}`);
    expect(monitor.asyncInvokeConfig).toMatchObject({ maxAsyncRetryAttempts: 1, maxAsyncEventAgeInSeconds: 240 });
  });

  it('deploys one bundle as two functions with the exported handlers', () => {
    const monitor = propsOf(base.doc, MONITOR);
    const watchdog = propsOf(base.doc, WATCHDOG);
    expect(monitor).toMatchObject({
      functionName: MONITOR,
      handler: 'index.handler',
      code: './dist',
      runtime: 'nodejs20',
      memorySize: 256,
      timeout: 120,
      role: REQUIRED.FC_ROLE_ARN,
    });
    expect(watchdog).toMatchObject({
      functionName: WATCHDOG,
      handler: 'index.watchdog',
      code: './dist',
      runtime: 'nodejs20',
      memorySize: 128,
      timeout: 30,
      role: REQUIRED.FC_ROLE_ARN,
    });
    // The benchmarks and the memory test read these from s.yaml themselves: they must read what `s` renders.
    expect(monitor.memorySize).toBe(monitorMemoryMb());
    expect(envOf(base.doc, MONITOR).NODE_OPTIONS).toBe(deployedNodeOptions());
    for (const props of [monitor, watchdog]) {
      const exported = props.handler.replace(/^index\./, '');
      expect({ handler: props.handler, type: typeof (bundle as Record<string, unknown>)[exported] }).toEqual({ handler: props.handler, type: 'function' });
      expect(props.ossMountConfig).toEqual(monitor.ossMountConfig);
    }
    expect(monitor.ossMountConfig?.mountPoints).toEqual([
      expect.objectContaining({ bucketName: REQUIRED.STATE_BUCKET, mountDir: path.posix.dirname(STATE_FILE) }),
    ]);
    expect(monitor.concurrencyConfig).toEqual({ reservedConcurrency: 1 });
    expect(monitor.triggers).toEqual([
      expect.objectContaining({ triggerType: 'timer', triggerConfig: expect.objectContaining({ cronExpression: 'CRON_TZ=Asia/Shanghai 0 */5 * * * *' }) }),
    ]);
    // The dead man's switch: its own timer, every 10 minutes, whose event the watchdog takes for a tick.
    expect(watchdog.triggers).toEqual([
      expect.objectContaining({
        triggerName: 'watchdog-timer',
        triggerType: 'timer',
        triggerConfig: expect.objectContaining({ cronExpression: 'CRON_TZ=Asia/Shanghai 0 */10 * * * *', enable: true }),
      }),
    ]);
    const tick = { triggerTime: '2026-01-05T02:00:00Z', triggerName: 'watchdog-timer', payload: watchdog.triggers![0]!.triggerConfig.payload };
    expect(classifyEvent(Buffer.from(JSON.stringify(tick)))).toEqual({ kind: 'timer', status: false, triggerTime: '2026-01-05T02:00:00Z', problems: [] });
    expect(watchdog.asyncInvokeConfig).toMatchObject({ maxAsyncRetryAttempts: 0 });
    expect(watchdog.asyncInvokeConfig?.destinationConfig).toBeUndefined();
  });
});

describe('s.yaml with variables exported', () => {
  it.each(['FC_ROLE_ARN', 'STATE_BUCKET'])('refuses to render without %s', (missing) => {
    const vars: Record<string, string> = { ...REQUIRED };
    delete vars[missing];
    const r = preview(vars);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain(`env('${missing}') not found`);
  });

  it('renders without DINGTALK_WEBHOOK (a WeCom or JSON-webhook channel needs none), into a configuration that then names it', () => {
    const { DINGTALK_WEBHOOK: _, ...vars } = REQUIRED;
    const r = preview(vars);
    expect(r.status).toBe(0);
    const env = envOf(r.doc, MONITOR) as Record<string, string>;
    expect(() => loadConfig(env)).toThrow('DINGTALK_WEBHOOK: is required when ALERT_CHANNEL is dingtalk');
    expect(() => loadAlertConfig(envOf(r.doc, WATCHDOG) as Record<string, string>)).toThrow('DINGTALK_WEBHOOK: is required');
  });

  it.each([
    ['wecom', '1', { WECOM_WEBHOOK: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' }],
    ['webhook', '15', { ALERT_WEBHOOK_URL: 'https://hooks.example.com/vod' }],
  ])(
    "renders for ALERT_CHANNEL=%s with only its URL, and carries MONITOR_EVERY_MINUTES=%s to the timer's cron and to both functions, which agree",
    (channel, every, url) => {
      const r = preview({
        FC_ROLE_ARN: REQUIRED.FC_ROLE_ARN,
        STATE_BUCKET: REQUIRED.STATE_BUCKET,
        ALERT_CHANNEL: channel,
        MONITOR_EVERY_MINUTES: every,
        ...url,
      });
      expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.any(String) });
      const monitor = loadConfig(envOf(r.doc, MONITOR) as Record<string, string>);
      expect(monitor.alert.channel).toBe(channel);
      const cron = propsOf(r.doc, MONITOR).triggers?.[0]?.triggerConfig.cronExpression ?? '';
      expect(cron).toBe(`CRON_TZ=Asia/Shanghai 0 */${every} * * * *`);
      // the period status reads from the deployed timer is the cadence the function reads from its variable
      expect(cronEveryMinutes(cron)).toBe(Number(every));
      expect(monitor.cadenceMs).toBe(Number(every) * 60_000);
      expect(loadAlertConfig(envOf(r.doc, WATCHDOG) as Record<string, string>).cadenceMs).toBe(Number(every) * 60_000);
    },
  );

  it('writes FC_ACCOUNT_ID (setup puts it in .env) into the destination ARN, before the access', () => {
    const r = preview({ ...REQUIRED, ...ACCESS }, 'FC_ACCOUNT_ID=5555555555555555\n');
    expect(propsOf(r.doc, MONITOR).asyncInvokeConfig?.destinationConfig?.onFailure?.destination).toBe(
      `acs:fc:cn-shanghai:5555555555555555:functions/${WATCHDOG}`,
    );
  });

  it("takes FC_ROLE_ARN and STATE_BUCKET from the .env setup writes, and gives the alerting file's secrets to both functions as ALERTING_SECRETS", async () => {
    const secrets = {
      VIDEO_TEAM_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=video',
      VIDEO_TEAM_SECRET: 'SECvideo-team-secret-0001',
      CN_TEAM_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=cn',
      OPS_WECOM_WEBHOOK: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=ops',
    };
    const dotenv = [
      `FC_ROLE_ARN=${REQUIRED.FC_ROLE_ARN}`,
      'STATE_BUCKET=from-dotenv',
      `DINGTALK_WEBHOOK=${REQUIRED.DINGTALK_WEBHOOK}`,
      `ALERTING_SECRETS='${JSON.stringify(secrets)}'`,
    ].join('\n');
    const r = preview({ ...ACCESS }, dotenv);
    expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.any(String) });
    expect(propsOf(r.doc, MONITOR).ossMountConfig?.mountPoints[0]?.bucketName).toBe('from-dotenv');
    for (const name of [MONITOR, WATCHDOG]) {
      const env = envOf(r.doc, name) as Record<string, string>;
      // The example file names four ${NAME}s that s.yaml does not list: they resolve through ALERTING_SECRETS.
      const plan = await loadAlerting(path.join(ROOT, 'deploy/alerting.example.yaml'), loadConfig(env), env);
      expect([...plan.receivers.values()].map((x) => x.alert.url).sort()).toEqual(
        [secrets.VIDEO_TEAM_WEBHOOK, secrets.CN_TEAM_WEBHOOK, secrets.OPS_WECOM_WEBHOOK].sort(),
      );
      expect([...plan.receivers.values()].map((x) => x.alert.secret)).toContain(secrets.VIDEO_TEAM_SECRET);
    }
  });

  it('passes any optional variable through to both functions, as the same string', () => {
    // `${` is left out: Serverless Devs renders a value again when it contains one (see the README, "Deploy").
    const text = fc.string({ unit: fc.constantFrom(...'aZ09 ,.:/_-=+"\'`{}$#\\告警'.split('')), minLength: 1, maxLength: 12 }).filter((s) => !s.includes('${'));
    const tricky = fc.constantFrom('0', '007', '-1', '1e3', '0.5', 'true', 'null', 'on', '~', '[]', '{}', ' x ');
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...OPTIONAL), fc.oneof(text, tricky), { minKeys: 1, maxKeys: 6 }), (exported) => {
        const r = preview({ ...REQUIRED, ...exported });
        expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.any(String) });
        for (const name of [MONITOR, WATCHDOG]) {
          const env = envOf(r.doc, name);
          for (const [key, value] of Object.entries(exported)) expect({ key, value: env[key] }).toEqual({ key, value });
        }
      }),
      { numRuns: 6 },
    );
  });
});
