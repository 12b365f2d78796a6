import { writeFileSync } from 'node:fs';
import { EXIT } from '../../lib/cli/main';
import { FC_CREDENTIALS } from '../helpers/world';
import { type CliWorld, closedPort, startCliWorld } from './world';

type Env = Record<string, string | undefined>;
/** command, exit code, why, argv, what to change first (may return variables to set), what the output must say. */
// biome-ignore lint/suspicious/noConfusingVoidType: a setup step either changes the world (void) or returns variables
type Case = [string, number, string, string[], ((w: CliWorld) => Env | void | Promise<Env | void>) | null, RegExp];

const suspend = (w: CliWorld) => {
  w.world.vod.accounts.find((a) => a.accessKeyId === FC_CREDENTIALS.accessKeyId)!.state = 'suspended';
};
const noKeys: Env = { ALIBABA_CLOUD_ACCESS_KEY_ID: undefined, ALIBABA_CLOUD_ACCESS_KEY_SECRET: undefined, ALIBABA_CLOUD_SECURITY_TOKEN: undefined };
const vodDown = async () => ({ VOD_ENDPOINT: `http://127.0.0.1:${await closedPort()}` });
const fcDown = async () => ({ FC_ENDPOINT: `127.0.0.1:${await closedPort()}` });
const ranOnce = async (w: CliWorld) => {
  await w.world.run();
};

const cases: Case[] = [
  ['run', EXIT.ok, 'a dry run that went well', ['run', '--dry-run'], null, /status: ok \(dry run/],
  ['run', EXIT.problem, 'the run was degraded: VOD refuses the account', ['run'], suspend, /status: degraded[\s\S]*OperationDenied\.Suspended/],
  [
    'run',
    EXIT.problem,
    'VOD refuses the key: a remote refusal during a run shows as a degraded run (never 3)',
    ['run', '--dry-run'],
    () => ({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'not-the-secret' }),
    /status: degraded[\s\S]*SignatureDoesNotMatch/,
  ],
  ['run', EXIT.usage, 'a bad --timeout', ['run', '--timeout', 'soon'], null, /--timeout "soon" is not accepted; use whole seconds/],
  ['run', EXIT.usage, 'no credentials', ['run'], () => noKeys, /set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET/],
  ['run', EXIT.usage, 'a bad variable', ['run'], () => ({ VOD_CONCURRENCY: 'lots' }), /VOD_CONCURRENCY: "lots" is not accepted/],

  ['tasks', EXIT.ok, 'a listing', ['tasks', '--since', '2h'], null, /Created \(UTC\+8\)/],
  [
    'tasks',
    EXIT.problem,
    'the API listed fewer rows than it counted',
    ['tasks', '--since', '2h'],
    (w) => void w.world.vod.faults.queue.push({ kind: 'body', body: { Tasks: { Task: [] }, TotalCount: 120, PageNumber: 1, PageSize: 50, RequestId: 'r' } }),
    /fewer rows than it counted/,
  ],
  [
    'tasks',
    EXIT.usage,
    'a time without a zone',
    ['tasks', '--since', '2026-11-28T22:00:00'],
    null,
    /has no time zone; use now, a duration back from now \(30m, 2h, 3d\) or a time with its zone \(2026-11-28T22:00:00Z for UTC, 2026-11-28T22:00:00\+08:00 for UTC\+8\)/,
  ],
  [
    'tasks',
    EXIT.usage,
    'a status the API does not accept as a filter',
    ['tasks', '--status', 'Pending'],
    null,
    /Allowed choices are Complete, Refreshing, Failed/,
  ],
  ['tasks', EXIT.usage, 'a window past the 3 days the API keeps', ['tasks', '--since', '5d', '--until', '4d'], null, /older than the 3 days the API keeps/],
  ['tasks', EXIT.usage, 'an unknown option', ['tasks', '--sinse', '1h'], null, /unknown option '--sinse'/],
  [
    'tasks',
    EXIT.remote,
    'VOD refuses the secret',
    ['tasks'],
    () => ({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'not-the-secret' }),
    /SignatureDoesNotMatch[\s\S]*fix: .*check ALIBABA_CLOUD_ACCESS_KEY_SECRET/,
  ],
  ['tasks', EXIT.remote, 'VOD cannot be reached', ['tasks'], vodDown, /ECONNREFUSED[\s\S]*fix: the VOD endpoint cannot be reached: check VOD_ENDPOINT/],

  ['test-alert', EXIT.ok, 'the robot accepts it', ['test-alert'], null, /accepted the test alert/],
  ['test-alert', EXIT.ok, 'a preview sends nothing', ['test-alert', '--preview'], null, /Preview, not sent/],
  [
    'test-alert',
    EXIT.problem,
    'the robot refuses the signature',
    ['test-alert'],
    () => ({ DINGTALK_SECRET: 'SECnot-the-robot-secret-at-all' }),
    /refused the test alert \(310000\): the signature does not match: DINGTALK_SECRET/,
  ],
  [
    'test-alert',
    EXIT.problem,
    'the robot is throttled',
    ['test-alert'],
    (w) => void w.world.ding.faults.push({ kind: 'errcode', errcode: 130101 }),
    /sends too fast[\s\S]*Wait 10 minutes/,
  ],
  [
    'test-alert',
    EXIT.usage,
    'DINGTALK_SECRET is not a signing secret',
    ['test-alert'],
    () => ({ DINGTALK_SECRET: 'not-a-secret-at-all' }),
    /DINGTALK_SECRET: is not a DingTalk signing secret; use the robot's secret, which starts with SEC/,
  ],
  [
    'test-alert',
    EXIT.usage,
    'WECOM_WEBHOOK without key=',
    ['test-alert'],
    () => ({ ALERT_CHANNEL: 'wecom', WECOM_WEBHOOK: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' }),
    /WECOM_WEBHOOK: has no key=/,
  ],
  [
    'test-alert',
    EXIT.remote,
    'the robot cannot be reached',
    ['test-alert'],
    (w) => {
      w.world.ding.down = true;
    },
    /could not be reached[\s\S]*Check DINGTALK_WEBHOOK/,
  ],

  ['doctor', EXIT.ok, 'a healthy setup', ['doctor'], ranOnce, /All checks passed/],
  [
    'doctor',
    EXIT.problem,
    'VOD refuses the secret',
    ['doctor', '--no-send'],
    () => ({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'not-the-secret' }),
    /FAIL .*SignatureDoesNotMatch[\s\S]*fix: .*ALIBABA_CLOUD_ACCESS_KEY_SECRET/,
  ],
  [
    'doctor',
    EXIT.problem,
    'the robot refuses the check message',
    ['doctor'],
    () => ({ DINGTALK_SECRET: 'SECnot-the-robot-secret-at-all' }),
    /FAIL .*refused the check message \(310000\)/,
  ],
  [
    'doctor',
    EXIT.problem,
    'the state file is corrupt',
    ['doctor', '--no-send'],
    (w) => writeFileSync(w.world.stateFile, '{oops'),
    /FAIL .*state file cannot be used[\s\S]*fix: /,
  ],
  ['doctor', EXIT.usage, 'a bad variable', ['doctor'], () => ({ VOD_CONCURRENCY: 'lots' }), /FAIL .*VOD_CONCURRENCY: "lots" is not accepted/],
  ['doctor', EXIT.usage, 'no credentials', ['doctor', '--no-send'], () => noKeys, /FAIL .*credentials: none found/],
  ['doctor', EXIT.remote, 'VOD cannot be reached', ['doctor', '--no-send'], vodDown, /FAIL .*ECONNREFUSED[\s\S]*A service could not be reached/],

  ['status', EXIT.ok, 'a healthy deployment', ['status'], ranOnce, /last good run/],
  ['status', EXIT.problem, 'the function does not exist', ['status', '--function', 'nope'], null, /function nope does not exist/],
  [
    'status',
    EXIT.problem,
    'the timer is disabled',
    ['status'],
    async (w) => {
      await w.world.run();
      w.fc.functions.get('vod-refresh-monitor')!.triggers[0]!.triggerConfig = JSON.stringify({ cronExpression: '0 */5 * * * *', enable: false });
    },
    /timer every-5-minutes is disabled/,
  ],
  [
    'status',
    EXIT.problem,
    'the last good run is too old',
    ['status'],
    async (w) => {
      await w.world.run();
      w.world.clock.advance(40 * 60_000);
    },
    /blind for 40 min \(BLIND_AFTER_MINUTES is 15\)/,
  ],
  [
    'status',
    EXIT.problem,
    'health is down',
    ['status'],
    async (w) => {
      await w.world.run();
      suspend(w);
      w.world.clock.advance(5 * 60_000);
      await w.world.run();
    },
    /health: down since .* \(OperationDenied\.Suspended\)/,
  ],
  [
    'status',
    EXIT.usage,
    'no FC_ACCOUNT_ID or FC_ENDPOINT',
    ['status'],
    () => ({ FC_ENDPOINT: undefined, FC_ACCOUNT_ID: undefined }),
    /FC_ACCOUNT_ID: is required for status and invoke/,
  ],
  ['status', EXIT.usage, 'a name that cannot be a function', ['status', '--function', '../etc'], null, /--function: "\.\.\/etc" is not a function name/],
  [
    'status',
    EXIT.remote,
    'FC refuses the secret',
    ['status'],
    () => ({ ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'not-the-secret' }),
    /Function Compute API refused the call: SignatureDoesNotMatch[\s\S]*fix: .*ALIBABA_CLOUD_ACCESS_KEY_SECRET/,
  ],
  ['status', EXIT.remote, 'FC cannot be reached', ['status'], fcDown, /could not be reached[\s\S]*FC_ACCOUNT_ID and FC_REGION \(or FC_ENDPOINT\)/],

  ['invoke', EXIT.ok, 'a dry run of the deployed function', ['invoke'], null, /status: ok \(dry run: nothing sent, no state written\)/],
  ['invoke', EXIT.problem, 'the function does not exist', ['invoke', '--function', 'nope'], null, /function nope does not exist/],
  ['invoke', EXIT.problem, 'the deployed run was degraded', ['invoke'], suspend, /status: degraded/],
  [
    'invoke',
    EXIT.problem,
    'the deployed function throws',
    ['invoke'],
    (w) => w.deploy({ VOD_CONCURRENCY: 'lots' }),
    /the run failed \(UnhandledInvocationError\): invalid configuration:\s+VOD_CONCURRENCY/,
  ],
  ['invoke', EXIT.usage, 'FC_ENDPOINT over plain http', ['invoke'], () => ({ FC_ENDPOINT: 'http://fc.example.com' }), /FC_ENDPOINT: must be https/],
  [
    'invoke',
    EXIT.remote,
    'FC refuses the key',
    ['invoke'],
    () => ({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI-unknown' }),
    /InvalidAccessKeyId\.NotFound[\s\S]*check ALIBABA_CLOUD_ACCESS_KEY_ID/,
  ],
  ['invoke', EXIT.remote, 'FC cannot be reached', ['invoke'], fcDown, /could not be reached/],

  ['local', EXIT.usage, 'a bad --rows', ['local', '--rows', 'many'], null, /--rows "many" is not accepted/],
  ['(none)', EXIT.usage, 'no command', [], null, /Commands:/],
  ['(none)', EXIT.usage, 'an unknown command', ['nonsense'], null, /unknown command 'nonsense'/],
  ['--version', EXIT.ok, 'the version', ['--version'], null, /^\d+\.\d+\.\d+$/m],
];

describe('exit codes: 0 ok, 1 a problem found, 2 usage or configuration, 3 a remote service', () => {
  let w: CliWorld;
  beforeEach(async () => {
    w = await startCliWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  it.each(cases)('%s exits %i when %s', async (_command, code, _why, argv, setup, message) => {
    const extra = (await setup?.(w)) ?? {};
    const r = await w.cli(argv, extra);
    expect({ code: r.code, said: message.test(`${r.out}\n${r.err}`) }).toEqual({ code, said: true });
  });
});
