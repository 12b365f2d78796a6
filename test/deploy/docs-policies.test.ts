// Every policy covers exactly what docs/deploy.md asks its holder to run: each command of the deploy's code blocks is
// known here with the API actions it makes, each action is allowed by the policy named in its step's "Who:" line, and
// each action a user policy grants is needed by some command of its holder. The deploy is at most five steps.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setupActions } from '../../lib/setup/actions';

const ROOT = path.resolve(__dirname, '../..');
const DOC = readFileSync(path.join(ROOT, 'docs/deploy.md'), 'utf8');
/** The sections of docs/deploy.md this test reads (others, on other subjects, are not deploy steps). */
const SECTIONS = ['Deploy from an empty account in five steps', 'What each step does, and how to undo it', 'Updates', 'Secrets of the alerting file'];
const USER_POLICIES = ['deploy/setup-user-policy.json', 'deploy/deploy-user-policy.json'];

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: string | string[];
}
const list = (x: string | string[] | undefined) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const glob = (pattern: string, value: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  ).test(value);
const statements = (file: string) => (JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as { Statement: Statement[] }).Statement;
const grants = (s: Statement, [action, resource]: Need) =>
  s.Effect === 'Allow' && list(s.Action).some((a) => glob(a, action)) && list(s.Resource).some((r) => glob(r, resource));

type Need = [action: string, resource: string];
const ACCOUNT = '1234567890123456';
const FN = (name: string) => `acs:fc:cn-shanghai:${ACCOUNT}:functions/${name}`;
const MONITOR = FN('vod-refresh-monitor');
const WATCHDOG = FN('vod-refresh-monitor-watchdog');
const PROJECT = `acs:log:cn-shanghai:${ACCOUNT}:project/serverless-cn-shanghai-0a1b2c3d`;
const BUCKET = `vod-refresh-monitor-${ACCOUNT}`;

/** What `s deploy` calls for s.yaml (fc3: the functions, trigger, configs, code upload, role, logConfig: auto). */
const S_DEPLOY: Need[] = [
  ...[MONITOR, WATCHDOG].flatMap((f): Need[] => [
    ['fc:GetFunction', f],
    ['fc:CreateFunction', f],
    ['fc:UpdateFunction', f],
    ['fc:PutAsyncInvokeConfig', f],
  ]),
  ['fc:CreateTrigger', `${MONITOR}/triggers/monitor-timer`],
  ['fc:UpdateTrigger', `${MONITOR}/triggers/monitor-timer`],
  ['fc:PutConcurrencyConfig', MONITOR],
  ['fc:GetTempBucketToken', '*'],
  ['ram:PassRole', `acs:ram::${ACCOUNT}:role/vod-refresh-monitor`],
  ['log:GetProject', PROJECT],
  ['log:CreateProject', PROJECT],
  ['log:CreateLogStore', `${PROJECT}/logstore/default-logs`],
  ['log:CreateIndex', `${PROJECT}/logstore/default-logs`],
];
/** What `s remove` calls: it lists the configs of each function, then deletes them and the functions. */
const S_REMOVE: Need[] = [
  ['fc:ListFunctions', `acs:fc:cn-shanghai:${ACCOUNT}:functions/*`],
  ['fc:ListFunctionAsyncInvokeConfigs', `acs:fc:cn-shanghai:${ACCOUNT}:async-invoke-configs/*`],
  ['fc:ListConcurrencyConfigs', `acs:fc:cn-shanghai:${ACCOUNT}:concurrency-configs/*`],
  ['fc:ListProvisionConfigs', `acs:fc:cn-shanghai:${ACCOUNT}:provision-configs/*`],
  ['fc:ListScalingConfigs', `acs:fc:cn-shanghai:${ACCOUNT}:scaling-configs/*`],
  ...[MONITOR, WATCHDOG].flatMap((f): Need[] => [
    ['fc:DeleteAsyncInvokeConfig', f],
    ['fc:DeleteFunction', f],
  ]),
  ['fc:DeleteTrigger', `${MONITOR}/triggers/monitor-timer`],
  ['fc:DeleteConcurrencyConfig', MONITOR],
];
/** `status` and `invoke` (lib/fc/remote.ts): the functions, the timer, where failed runs go, and one synchronous run. */
const STATUS: Need[] = [
  ['fc:GetFunction', MONITOR],
  ['fc:GetFunction', WATCHDOG],
  ['fc:ListTriggers', `${MONITOR}/triggers/*`],
  ['fc:GetAsyncInvokeConfig', MONITOR],
  ['fc:InvokeFunction', MONITOR],
];

/** Each command the docs may ask for, with the actions it makes (none for what stays on this machine). */
const COMMANDS: Array<[RegExp, Need[]]> = [
  [/^npm (ci|run build)$/, []],
  [/^export ALIBABA_CLOUD_ACCESS_KEY_ID=/, []],
  [/^read -rsp .* ALIBABA_CLOUD_ACCESS_KEY_SECRET$/, []],
  [/^export ALIBABA_CLOUD_ACCESS_KEY_SECRET$/, []],
  // `s config add` reads the account id with STS GetCallerIdentity, which needs no permission.
  [/^npx s config add -a default --AccessKeyID "\$ALIBABA_CLOUD_ACCESS_KEY_ID" --AccessKeySecret "\$ALIBABA_CLOUD_ACCESS_KEY_SECRET"$/, []],
  [
    /^npx vod-refresh-monitor setup( --yes)?$/,
    setupActions(ACCOUNT, 'vod-refresh-monitor', BUCKET, ['vod-refresh-monitor', 'vod-refresh-monitor-auto-refresh']),
  ],
  [/^npx s deploy$/, S_DEPLOY],
  [/^npx s remove$/, S_REMOVE],
  [
    /^npx vod-refresh-monitor doctor$/,
    [
      ['vod:DescribeVodRefreshTasks', '*'],
      ['vod:DescribeVodRefreshQuota', '*'],
    ],
  ],
  [/^npx vod-refresh-monitor (status|invoke)$/, STATUS],
  [
    /^ossutil cp alerting\.yaml oss:\/\/<STATE_BUCKET>\/vod-refresh-monitor\/alerting\.yaml$/,
    [['oss:PutObject', `acs:oss:*:*:${BUCKET}/vod-refresh-monitor/alerting.yaml`]],
  ],
];

interface Block {
  readonly heading: string;
  readonly holder: string | null;
  readonly commands: string[];
}

/** The `sh` blocks of the sections above, each with the policy its step's "Who:" line names (null: none). */
function blocks(): Block[] {
  const out: Block[] = [];
  let top = '';
  let heading = '';
  let holder: string | null = null;
  const lines = DOC.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('## ')) top = line.slice(3).trim();
    if (/^#{2,3} /.test(line)) {
      heading = line.replace(/^#+ /, '').trim();
      holder = null;
    }
    if (line.startsWith('Who:')) holder = /deploy\/([a-z-]+\.json)/.exec(line)?.[0] ?? null;
    if (line.trim() === '```sh' && SECTIONS.includes(top)) {
      const commands: string[] = [];
      for (i++; lines[i]!.trim() !== '```'; i++) {
        const text = lines[i]!.replace(/\s+#.*$/, '').trim();
        if (text) commands.push(...text.split(/\s*&&\s*/));
      }
      out.push({ heading, holder, commands });
    }
  }
  return out;
}

const needsOf = (command: string): Need[] | null => COMMANDS.find(([re]) => re.test(command))?.[1] ?? null;
const runs = blocks().flatMap((b) => b.commands.map((command) => ({ ...b, command })));

describe('docs/deploy.md and the policies in deploy/', () => {
  it('deploys in at most five numbered steps, each saying who runs it', () => {
    const start = DOC.indexOf(`## ${SECTIONS[0]}`);
    const section = DOC.slice(start, DOC.indexOf('\n## ', start + 5));
    const steps = [...section.matchAll(/^### (\d+)\. /gm)].map((m) => Number(m[1]));
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.length).toBeLessThanOrEqual(5);
    expect(steps).toEqual(steps.map((_, i) => i + 1));
    for (const part of section.split(/^### /m).slice(1))
      expect({ step: part.split('\n')[0], who: /^Who: /m.test(part) }).toEqual({ step: part.split('\n')[0], who: true });
  });

  it('has commands in its code blocks (the parser found them)', () => {
    expect(runs.map((r) => r.command)).toEqual(
      expect.arrayContaining(['npx vod-refresh-monitor setup --yes', 'npx s deploy', 'npx vod-refresh-monitor doctor']),
    );
  });

  it.each(runs.map((r) => [r.command, r.heading, r]))('knows what `%s` (%s) calls', (_c, _h, r) => {
    expect({ command: r.command, known: needsOf(r.command) !== null }).toEqual({ command: r.command, known: true });
  });

  it.each(runs.map((r) => [r.command, r.holder ?? 'no policy', r]))('lets `%s` run with %s', (_c, _h, r) => {
    const needs = needsOf(r.command) ?? [];
    if (r.holder === null) {
      expect({ command: r.command, needs }).toEqual({ command: r.command, needs: [] });
      return;
    }
    const policy = statements(r.holder);
    for (const need of needs)
      expect({ command: r.command, need, allowed: policy.some((s) => grants(s, need)) }).toEqual({ command: r.command, need, allowed: true });
  });

  it.each(USER_POLICIES)('%s grants nothing its holder is not asked to run', (file) => {
    const needed = runs.filter((r) => r.holder === file).flatMap((r) => needsOf(r.command) ?? []);
    expect(needed.length).toBeGreaterThan(0);
    for (const s of statements(file)) {
      for (const action of list(s.Action)) {
        const used = needed.some(([a, resource]) => glob(action, a) && list(s.Resource).some((res) => glob(res, resource)));
        expect({ sid: s.Sid, action, used }).toEqual({ sid: s.Sid, action, used: true });
      }
    }
  });
});
