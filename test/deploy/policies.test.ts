// The RAM policies in deploy/: each parses, grants what the code calls, and never a bare or service-wide wildcard
// on every resource.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const DEPLOY = path.resolve(__dirname, '../../deploy');

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource?: string | string[];
  Principal?: unknown;
  Condition?: unknown;
}
interface Policy {
  Version: string;
  Statement: Statement[];
}

const list = (x: string | string[] | undefined) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

function load(file: string): Policy {
  return JSON.parse(readFileSync(path.join(DEPLOY, file), 'utf8')) as Policy;
}

/** Whether the policy allows `action` on `resource` (RAM's `*` matches any run of characters). */
function allows(policy: Policy, action: string, resource = '*'): boolean {
  const match = (pattern: string, value: string) =>
    new RegExp(
      `^${pattern
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
      'i',
    ).test(value);
  return policy.Statement.some((s) => s.Effect === 'Allow' && list(s.Action).some((a) => match(a, action)) && list(s.Resource).some((r) => match(r, resource)));
}

// What the function calls, from lib/: lib/vod/client.ts sends DescribeVodRefreshTasks on every run, and the three
// auto-refresh actions only when AUTO_REFRESH=on; Function Compute invokes the failure destination (the watchdog)
// with the monitor's role.
const WATCHDOG_ARN = 'acs:fc:cn-shanghai:1234567890123456:functions/vod-refresh-monitor-watchdog';
const STATE_OBJECT = 'acs:oss:*:*:YOUR_STATE_BUCKET/vod-refresh-monitor/state.json';
const FUNCTION_ROLE: Array<[string, string]> = [
  ['vod:DescribeVodRefreshTasks', '*'],
  ['fc:InvokeFunction', WATCHDOG_ARN],
  ['oss:GetObject', STATE_OBJECT],
  ['oss:PutObject', STATE_OBJECT],
  ['oss:DeleteObject', STATE_OBJECT],
  ['oss:PutObject', 'acs:oss:*:*:YOUR_STATE_BUCKET/vod-refresh-monitor/watchdog.json'],
  // The heartbeat the monitor writes beside the state, and what the watchdog reads (lib/watchdog/heartbeat.ts, sight.ts).
  ['oss:PutObject', 'acs:oss:*:*:YOUR_STATE_BUCKET/vod-refresh-monitor/state.json.heartbeat.json'],
  ['oss:GetObject', 'acs:oss:*:*:YOUR_STATE_BUCKET/vod-refresh-monitor/state.json.heartbeat.json'],
  ['oss:GetObject', 'acs:oss:*:*:YOUR_STATE_BUCKET/vod-refresh-monitor/state.json.lock'],
  ['oss:ListObjects', 'acs:oss:*:*:YOUR_STATE_BUCKET'],
  ['log:PostLogStoreLogs', 'acs:log:cn-shanghai:1234567890123456:project/serverless-cn-shanghai-abc/logstore/default-logs'],
];
const AUTO_REFRESH = ['vod:RefreshVodObjectCaches', 'vod:PreloadVodObjectCaches', 'vod:DescribeVodRefreshQuota'];
const MONITOR_ARN = 'acs:fc:cn-shanghai:1234567890123456:functions/vod-refresh-monitor';
const DEPLOY_USER: Array<[string, string]> = [
  ['fc:CreateFunction', MONITOR_ARN],
  ['fc:UpdateFunction', WATCHDOG_ARN],
  ['fc:DeleteFunction', MONITOR_ARN],
  ['fc:CreateTrigger', `${MONITOR_ARN}/triggers/monitor-timer`],
  // The watchdog's own timer (the dead man's switch), and `status` asking the watchdog what the heartbeat shows.
  ['fc:CreateTrigger', `${WATCHDOG_ARN}/triggers/watchdog-timer`],
  ['fc:UpdateTrigger', `${WATCHDOG_ARN}/triggers/watchdog-timer`],
  ['fc:ListTriggers', WATCHDOG_ARN],
  ['fc:InvokeFunction', WATCHDOG_ARN],
  ['fc:PutFunctionAsyncInvokeConfig', MONITOR_ARN],
  ['fc:PutConcurrencyConfig', MONITOR_ARN],
  ['fc:GetFunction', WATCHDOG_ARN],
  ['fc:InvokeFunction', MONITOR_ARN],
  ['fc:GetTempBucketToken', '*'],
  ['ram:PassRole', 'YOUR_FC_ROLE_ARN'],
  ['log:CreateProject', 'acs:log:cn-shanghai:1234567890123456:project/serverless-cn-shanghai-abc'],
  ['log:CreateLogStore', 'acs:log:cn-shanghai:1234567890123456:project/serverless-cn-shanghai-abc/logstore/default-logs'],
  ['log:GetLogStoreLogs', 'acs:log:cn-shanghai:1234567890123456:project/serverless-cn-shanghai-abc/logstore/default-logs'],
  ['oss:GetBucketInfo', 'acs:oss:*:*:YOUR_STATE_BUCKET'],
];

describe('deploy/*.json', () => {
  const files = readdirSync(DEPLOY).filter((f) => f.endsWith('.json'));

  it('holds the four policies', () => {
    expect(files.sort()).toEqual(['deploy-user-policy.json', 'ram-policy-auto-refresh.json', 'ram-policy.json', 'trust-policy.json']);
  });

  it.each(files)('%s is a RAM policy document', (file) => {
    const policy = load(file);
    expect(policy.Version).toBe('1');
    expect(policy.Statement.length).toBeGreaterThan(0);
    for (const s of policy.Statement) {
      expect(['Allow', 'Deny']).toContain(s.Effect);
      expect(list(s.Action).length).toBeGreaterThan(0);
      for (const a of list(s.Action)) expect(a).toMatch(/^[a-z]+:[A-Za-z*]+$/);
    }
  });

  it.each(files)('%s grants no "*" action, and no service-wide action on every resource', (file) => {
    for (const s of load(file).Statement) {
      for (const a of list(s.Action)) {
        expect({ sid: s.Sid, action: a }).not.toEqual({ sid: s.Sid, action: '*' });
        if (a.endsWith(':*'))
          expect({ sid: s.Sid, action: a, resources: list(s.Resource) }).not.toEqual({ sid: s.Sid, action: a, resources: expect.arrayContaining(['*']) });
      }
    }
  });

  it.each(FUNCTION_ROLE)('ram-policy.json lets the function role %s on %s', (action, resource) => {
    expect(allows(load('ram-policy.json'), action, resource)).toBe(true);
  });

  it('ram-policy.json keeps the state bucket to its folder and grants no refresh', () => {
    const policy = load('ram-policy.json');
    expect(allows(policy, 'oss:GetObject', 'acs:oss:*:*:YOUR_STATE_BUCKET/other/file')).toBe(false);
    expect(allows(policy, 'oss:PutObject', 'acs:oss:*:*:YOUR_STATE_BUCKET/other/file')).toBe(false);
    expect(allows(policy, 'fc:InvokeFunction', MONITOR_ARN)).toBe(false);
    for (const action of AUTO_REFRESH) expect({ action, allowed: allows(policy, action) }).toEqual({ action, allowed: false });
  });

  it.each(AUTO_REFRESH)('ram-policy-auto-refresh.json grants %s', (action) => {
    expect(allows(load('ram-policy-auto-refresh.json'), action)).toBe(true);
  });

  it('trust-policy.json lets Function Compute assume the role', () => {
    const [s] = load('trust-policy.json').Statement;
    expect(s).toMatchObject({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: ['fc.aliyuncs.com'] } });
  });

  it.each(DEPLOY_USER)('deploy-user-policy.json lets the deploying user %s on %s', (action, resource) => {
    expect(allows(load('deploy-user-policy.json'), action, resource)).toBe(true);
  });

  it('deploy-user-policy.json stays on these two functions and this role', () => {
    const policy = load('deploy-user-policy.json');
    expect(allows(policy, 'fc:DeleteFunction', 'acs:fc:cn-shanghai:1234567890123456:functions/someone-elses')).toBe(false);
    expect(allows(policy, 'fc:UpdateFunction', 'acs:fc:cn-hangzhou:1234567890123456:functions/vod-refresh-monitor')).toBe(false);
    expect(allows(policy, 'ram:PassRole', 'acs:ram::1234567890123456:role/aliyunfcdefaultrole')).toBe(false);
    expect(allows(policy, 'log:DeleteProject', 'acs:log:cn-shanghai:1234567890123456:project/production-logs')).toBe(false);
  });
});
