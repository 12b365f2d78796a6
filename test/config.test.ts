import fc from 'fast-check';
import { ConfigError, loadAlertConfig, loadConfig, VARIABLES, variableDocs } from '../lib/config';

const base = { DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=abc' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('fills every default', () => {
    const c = loadConfig(base);
    expect(c.vod).toMatchObject({
      endpoint: 'https://vod.cn-shanghai.aliyuncs.com',
      domains: [],
      objectTypes: ['file', 'directory', 'preload'],
      requestsPerSecond: 5,
      concurrency: 3,
      overlapMs: 300_000,
      method: 'GET',
    });
    expect(c).toMatchObject({ blindAfterMs: 15 * 60_000, autoRefresh: { enabled: false, maxRetries: 1, quotaShare: 0.1 }, warnings: [] });
    expect(c).toMatchObject({ stuckAfterMs: 30 * 60_000, firstRunLookbackMs: 60 * 60_000, stateFile: '.state/vod-refresh-monitor.json', logLevel: 'info' });
    expect(c.alert).toMatchObject({ channel: 'dingtalk', secret: null, keywords: [], maxPerMinute: 20 });
    expect(Object.isFrozen(c.vod)).toBe(true);
  });

  it('reads lists', () => {
    const c = loadConfig({
      ...base,
      VOD_DOMAINS: ' Video.Example.com, vod.example.cn ',
      VOD_OBJECT_TYPES: 'file,preload',
      DINGTALK_AT_MOBILES: '13800000000,+8613900000000',
      DINGTALK_KEYWORDS: 'VOD,告警',
    });
    expect(c.vod.domains).toEqual(['video.example.com', 'vod.example.cn']);
    expect(c.vod.objectTypes).toEqual(['file', 'preload']);
    expect(c.alert.atMobiles).toEqual(['13800000000', '+8613900000000']);
    expect(c.alert.keywords).toEqual(['VOD', '告警']);
  });

  it.each([
    [{ VOD_REQUESTS_PER_SECOND: '0' }, /^VOD_REQUESTS_PER_SECOND: "0" is not accepted; use a whole number from 1 to 100/],
    [{ VOD_CONCURRENCY: '2.5' }, /^VOD_CONCURRENCY: .*whole number/],
    [{ VOD_OBJECT_TYPES: 'file,video' }, /^VOD_OBJECT_TYPES: "video" is not accepted; use a comma-separated subset of file,directory,preload/],
    [{ VOD_DOMAINS: 'a.com,http://b.com' }, /^VOD_DOMAINS: "http:\/\/b.com" is not a domain/],
    [{ VOD_ENDPOINT: 'http://vod.example.com' }, /^VOD_ENDPOINT: must be https/],
    [{ VOD_HTTP_METHOD: 'PUT' }, /^VOD_HTTP_METHOD: use GET or POST/],
    [{ DINGTALK_AT_MOBILES: '138-0000' }, /^DINGTALK_AT_MOBILES: "138-0000" is not a mobile number/],
    [{ DINGTALK_WEBHOOK: 'not a url' }, /^DINGTALK_WEBHOOK: is not a URL/],
    [{ DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send' }, /^DINGTALK_WEBHOOK: has no access_token/],
    [{ DINGTALK_SECRET: 'short' }, /^DINGTALK_SECRET: is not a DingTalk signing secret; use the robot's secret, which starts with SEC/],
    [{ DINGTALK_SECRET: 'abcdefghijklmnopqrstuvwxyz' }, /^DINGTALK_SECRET: .*starts with SEC/],
    [{ ALERT_CHANNEL: 'wecom', WECOM_WEBHOOK: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send' }, /^WECOM_WEBHOOK: has no key=/],
    [{ AUTO_REFRESH: 'yes' }, /^AUTO_REFRESH: use off or on/],
    [{ AUTO_REFRESH_QUOTA_SHARE: '0.9' }, /^AUTO_REFRESH_QUOTA_SHARE: .*from 0.01 to 0.5/],
    [{ ALERT_CHANNEL: 'slack' }, /^ALERT_CHANNEL: use dingtalk, webhook or wecom/],
    [{ ALERT_CHANNEL: 'wecom' }, /^WECOM_WEBHOOK: is required when ALERT_CHANNEL is wecom/],
    [{ LOG_LEVEL: 'verbose' }, /^LOG_LEVEL: use fatal, error/],
    [{ STUCK_AFTER_MINUTS: '10' }, /^STUCK_AFTER_MINUTS: unknown variable; did you mean STUCK_AFTER_MINUTES\?/],
  ])('refuses %j, naming the variable and what it accepts', (env, message) => {
    const p = problems({ ...base, ...env } as Record<string, string>);
    expect(p.some((x) => message.test(x))).toBe(true);
  });

  it('reads an empty value as unset (s.yaml passes every optional variable as an empty string)', () => {
    const empty = Object.fromEntries(VARIABLES.filter((v) => v !== 'DINGTALK_WEBHOOK').map((v) => [v, '']));
    const c = loadConfig({ ...base, ...empty });
    expect(c).toEqual(loadConfig(base));
    expect(c.warnings).toEqual([]);
  });

  it('accepts the retired VOD_MAX_PAGES, says it is unused, and stops nothing', () => {
    expect(loadConfig({ ...base, VOD_MAX_PAGES: '400' }).warnings).toEqual([expect.stringMatching(/VOD_MAX_PAGES is no longer used/)]);
  });

  it('derives the variable list and its documentation from the one schema', () => {
    const docs = variableDocs();
    expect(docs.map((d) => d.name)).toEqual(VARIABLES);
    for (const d of docs) expect(d.accepts.length).toBeGreaterThan(0);
  });

  it('gives the failure handler the alert channel even when the rest of the configuration is broken', () => {
    expect(loadAlertConfig({ ...base, STUCK_AFTER_MINUTES: 'soon' }).alert.url).toBe(base.DINGTALK_WEBHOOK);
  });

  it('refuses a missing webhook', () => {
    expect(problems({})).toEqual(['DINGTALK_WEBHOOK: is required when ALERT_CHANNEL is dingtalk']);
  });

  it('reports every problem at once', () => {
    expect(problems({ ...base, VOD_CONCURRENCY: 'x', STUCK_AFTER_MINUTES: '-1' })).toHaveLength(2);
  });

  it('never crashes on arbitrary values: a Config or a ConfigError (property)', () => {
    const names = [
      'VOD_DOMAINS',
      'VOD_OBJECT_TYPES',
      'VOD_CONCURRENCY',
      'STUCK_AFTER_MINUTES',
      'DINGTALK_AT_MOBILES',
      'DINGTALK_SECRET',
      'VOD_ENDPOINT',
      'DINGTALK_WEBHOOK',
    ];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names), fc.string({ maxLength: 60 })), (env) => {
        try {
          loadConfig({ ...base, ...env });
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
          for (const p of (e as ConfigError).problems) expect(p).toMatch(/^[A-Z_]+: /);
        }
      }),
    );
  });
});
