import { classifyDingTalkReply, dingTalkSign, signedWebhookUrl } from '../../lib/notify/dingtalk';

describe('DingTalk signing', () => {
  it('matches the example in protocols.md', () => {
    expect(dingTalkSign(1700000000000, 'this is secret')).toBe('sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0%3D');
  });
  it('appends timestamp and sign, encoded once', () => {
    const url = signedWebhookUrl('https://oapi.dingtalk.com/robot/send?access_token=abc', 'this is secret', 1700000000000);
    expect(url).toBe('https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000&sign=sSFWELbV2YwjdDQhWZwTcWlX5BWUx5J6TPpsZmuPii0%3D');
  });
  it('leaves the URL alone without a secret', () => {
    expect(signedWebhookUrl('https://x/robot/send?access_token=a', undefined, 1)).toBe('https://x/robot/send?access_token=a');
  });
});

describe('classifyDingTalkReply', () => {
  it.each([
    [200, { errcode: 0, errmsg: 'ok' }, true, undefined, undefined],
    [200, { errcode: 130101, errmsg: 'send too fast' }, false, 'rate-limited', undefined],
    [200, { errcode: 410100, errmsg: 'send too fast' }, false, 'rate-limited', undefined],
    [200, { errcode: -1, errmsg: 'system busy' }, false, 'retryable', undefined],
    [502, null, false, 'retryable', undefined],
    [200, { errcode: 310000, errmsg: 'keywords not in content' }, false, 'config', /keyword/],
    [200, { errcode: 310000, errmsg: 'invalid timestamp' }, false, 'config', /clock/],
    [200, { errcode: 310000, errmsg: 'sign not match' }, false, 'config', /DINGTALK_SECRET/],
    [200, { errcode: 310000, errmsg: 'ip not in whitelist' }, false, 'config', /allow-list/],
    [200, { errcode: 300001, errmsg: 'token is not exist' }, false, 'config', /access_token/],
    [200, { errcode: 400102, errmsg: 'robot disabled' }, false, 'config', /disabled/],
    [200, { errcode: 460101, errmsg: 'too long' }, false, 'content', /20,000/],
    [200, { errcode: 430102, errmsg: '含有不合适的文本' }, false, 'content', /content/],
    [200, { errcode: 987654, errmsg: 'new' }, false, 'content', /refused/],
    [200, 'not json', false, 'retryable', undefined],
  ])('HTTP %i %j -> ok %s, %s', (status, json, ok, kind, reason) => {
    const r = classifyDingTalkReply(status, json);
    expect(r.ok).toBe(ok);
    if (!r.ok) {
      expect(r.kind).toBe(kind);
      if (reason) expect(r.reason).toMatch(reason);
    }
  });
});

describe('a robot that requires signing, sent an unsigned message', () => {
  it('names DINGTALK_SECRET rather than the clock', () => {
    const r = classifyDingTalkReply(200, { errcode: 310000, errmsg: 'sign not match, more: [missing timestamp or sign]' }, false);
    expect(r).toMatchObject({ ok: false, kind: 'config', reason: expect.stringMatching(/set DINGTALK_SECRET/) });
  });
});
