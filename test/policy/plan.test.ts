import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../lib/config';
import type { AlertEvent, TaskFacts } from '../../lib/events/schema';
import { type AlertingPlan, loadAlerting } from '../../lib/policy/load';
import { isActive } from '../../lib/policy/mute';
import { routeOf } from '../../lib/policy/route';

const config = loadConfig({ DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=fallback' });
const env = {
  VIDEO_TEAM_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=video',
  VIDEO_TEAM_SECRET: 'SECvideo-team-secret-0001',
  CN_TEAM_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=cn',
  OPS_WECOM_WEBHOOK: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=ops',
};
const EXAMPLE = path.join(__dirname, '../../deploy/alerting.example.yaml');

const dir = mkdtempSync(path.join(tmpdir(), 'vrm-alerting-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function file(text: string): string {
  const f = path.join(dir, String(++files), 'alerting.yaml');
  mkdirSync(path.dirname(f));
  writeFileSync(f, text);
  return f;
}
const problems = async (text: string, e: Record<string, string> = env) => {
  const err = await loadAlerting(file(text), config, e).catch((x: unknown) => x);
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).problems.join('\n');
};

const task = (domain: string, description: string | null = 'Origin Timeout', objectType = 'file'): TaskFacts => ({
  taskId: '1',
  objectPath: `http://${domain}/a.mp4`,
  objectType,
  status: 'Failed',
  description,
  creationTime: null,
  domain,
});
const failed = (domain: string, description?: string | null, objectType?: string): AlertEvent => ({
  kind: 'failed',
  key: 'k',
  task: task(domain, description, objectType),
});

describe('the example alerting file', () => {
  let plan: AlertingPlan;
  beforeAll(async () => {
    plan = await loadAlerting(EXAMPLE, config, env);
  });

  it('resolves its secrets from the environment, never from the file', () => {
    expect(plan.receivers.get('video-team')!.alert).toMatchObject({
      channel: 'dingtalk',
      url: env.VIDEO_TEAM_WEBHOOK,
      secret: env.VIDEO_TEAM_SECRET,
      keywords: ['VOD'],
      atMobiles: ['13800000000'],
    });
    expect(plan.receivers.get('ops')!.alert).toMatchObject({ channel: 'wecom', url: env.OPS_WECOM_WEBHOOK });
    expect(plan).toMatchObject({
      defaultReceiver: 'ops',
      reminders: { everyMs: 4 * 3600_000, max: 3 },
      digest: { atMin: 9 * 60 + 30, receivers: ['video-team', 'cn-team', 'ops'] },
    });
  });

  it.each<[string, AlertEvent, string]>([
    ['a failure on video.example.com', failed('video.example.com'), 'video-team'],
    ['a stuck row on video.example.com', { kind: 'stuck', key: 'k', task: task('video.example.com'), ageMinutes: 40 }, 'video-team'],
    ['a failure on a subdomain of example.cn', failed('img.example.cn'), 'cn-team'],
    ['a failure on example.cn itself (the pattern names subdomains)', failed('example.cn'), 'ops'],
    ['a failure on another domain: the default', failed('media.example.net'), 'ops'],
    ['the monitor cannot read the API', { kind: 'health-down', key: 'k', code: 'OperationDenied', message: 'x', sinceMs: 0 }, 'ops'],
    [
      'a digest names its receiver',
      {
        kind: 'digest',
        key: 'k',
        receiver: 'cn-team',
        day: 'd',
        fromMs: 0,
        toMs: 0,
        failures: {},
        topUrls: [],
        account: null,
        unresolved: 0,
        stuck: 0,
        retries: null,
        runs: { total: 0, ok: 0, blindMs: 0 },
      },
      'cn-team',
    ],
  ])('routes %s to %s', (_n, e, receiver) => {
    expect(routeOf(e, plan)).toBe(receiver);
  });

  it('holds its weekly mute on Sundays 02:00-04:00 Asia/Shanghai only, and its period mute until its end', () => {
    const weekly = plan.mutes.find((m) => m.name === 'sunday-maintenance')!;
    expect(isActive(weekly, Date.parse('2026-11-29T02:30:00+08:00'))).toBe(true);
    expect(isActive(weekly, Date.parse('2026-11-29T04:00:00+08:00'))).toBe(false);
    expect(isActive(weekly, Date.parse('2026-11-30T02:30:00+08:00'))).toBe(false);
    const period = plan.mutes.find((m) => m.name === 'origin-migration')!;
    expect(isActive(period, Date.parse('2026-12-01T05:59:59+08:00'))).toBe(true);
    expect(isActive(period, Date.parse('2026-12-01T06:00:00+08:00'))).toBe(false);
  });
});

describe('routing rules (table)', () => {
  const plan = async (routes: string) =>
    loadAlerting(
      file(`receivers:\n  - { name: a, webhook: { url: "\${A}" } }\n  - { name: b, webhook: { url: "\${B}" } }\nroute:\n  receiver: a\n  routes:\n${routes}`),
      config,
      { A: 'https://a.example/x', B: 'https://b.example/x' },
    );
  it.each<[string, string, AlertEvent, string]>([
    ['description', '    - { match: { description: [Internal Error] }, receiver: b }', failed('x.com', 'Internal Error'), 'b'],
    ['description, not matching', '    - { match: { description: [Internal Error] }, receiver: b }', failed('x.com', 'Origin Timeout'), 'a'],
    ['objectType', '    - { match: { objectType: [preload] }, receiver: b }', failed('x.com', 'Origin Timeout', 'preload'), 'b'],
    ['kind', '    - { match: { kind: [stuck] }, receiver: b }', { kind: 'stuck', key: 'k', task: task('x.com'), ageMinutes: 31 }, 'b'],
    [
      'kind retry',
      '    - { match: { kind: [retry] }, receiver: b }',
      { kind: 'resubmitted', key: 'k', task: task('x.com'), newTaskId: '2', attempt: 1, maxAttempts: 1 },
      'b',
    ],
    ['two fields: both must match', '    - { match: { domain: [x.com], kind: [recovered] }, receiver: b }', failed('x.com'), 'a'],
    ['first match wins', '    - { match: { domain: [x.com] }, receiver: b }\n    - { match: { domain: [x.com] }, receiver: a }', failed('x.com'), 'b'],
    [
      'a domain route never matches an alert without a domain',
      '    - { match: { domain: [x.com] }, receiver: b }',
      { kind: 'blind', key: 'k', fromMs: 0, toMs: 1, cause: null },
      'a',
    ],
  ])('%s', async (_n, routes, e, receiver) => {
    expect(routeOf(e, await plan(routes))).toBe(receiver);
  });
});

describe('a broken alerting file gets a clear error', () => {
  it.each([
    ['not YAML', 'receivers: [\n', /is not YAML/],
    [
      'a literal webhook (secrets stay out of the file)',
      'receivers:\n  - name: a\n    dingtalk: { webhook: "https://oapi.dingtalk.com/robot/send?access_token=leak" }\nroute: { receiver: a }',
      /receivers\.0\.dingtalk\.webhook: must be a \$\{VARIABLE\} reference/,
    ],
    [
      'a reference that is not set',
      'receivers:\n  - name: a\n    dingtalk: { webhook: "${NOPE_WEBHOOK}" }\nroute: { receiver: a }',
      /\$\{NOPE_WEBHOOK\} is not set in the environment/,
    ],
    [
      'a route to a receiver that does not exist',
      'receivers:\n  - name: a\n    webhook: { url: "${A}" }\nroute: { receiver: b }',
      /route\.receiver: no receiver is named "b"/,
    ],
    [
      'two channels in one receiver',
      'receivers:\n  - name: a\n    webhook: { url: "${A}" }\n    wecom: { webhook: "${A}" }\nroute: { receiver: a }',
      /exactly one of dingtalk, wecom or webhook/,
    ],
    [
      'a mute with neither until nor weekly',
      'receivers:\n  - { name: a, webhook: { url: "${A}" } }\nroute: { receiver: a }\nmutes:\n  - match: { domain: [x.com] }',
      /either until \(a period\) or weekly/,
    ],
    [
      'a time without its zone',
      'receivers:\n  - { name: a, webhook: { url: "${A}" } }\nroute: { receiver: a }\nmutes:\n  - { match: { domain: [x.com] }, until: "2026-12-01T02:00:00" }',
      /with its zone/,
    ],
    ['a typo in a key', 'receivers:\n  - { name: a, webhook: { url: "${A}" } }\nroute: { receiver: a }\nreminder: { every: 1h, max: 2 }', /reminder/],
    ['a digest time that is not HH:MM', 'receivers:\n  - { name: a, webhook: { url: "${A}" } }\nroute: { receiver: a }\ndigest: { at: "9am" }', /HH:MM/],
  ])('%s', async (_n, text, message) => {
    expect(await problems(text, { A: 'https://a.example/x' })).toMatch(message);
  });

  it('names the file in every problem', async () => {
    expect(await problems('receivers: 3')).toMatch(/^ALERTING_CONFIG \(.*alerting\.yaml\): /);
  });
});
