import { randomUUID } from 'node:crypto';
import { dingTalkSign } from '../../lib/notify/dingtalk';
import { DEFAULT_ROBOT, startDingTalkSim } from '../../sim/dingtalk/server';
import { DEFAULT_ACCOUNT, startVodSim } from '../../sim/vod/server';
import { signRpc } from '../../sim/vod/signature';
import { movableClock } from '../helpers/world';

const post = async (url: string, body: unknown) =>
  (await (
    await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) })
  ).json()) as { errcode: number; errmsg: string };
const md = (text = 'VOD check') => ({ msgtype: 'markdown', markdown: { title: text.slice(0, 12), text } });

describe('the local DingTalk robot', () => {
  it('allows 20 messages a minute, answers 130101 on the 21st, and stays throttled for 10 minutes', async () => {
    const clock = movableClock();
    const ding = await startDingTalkSim({ now: clock.now, robots: [{ accessToken: 't', keywords: ['VOD'] }] });
    try {
      const url = ding.webhook('t');
      for (let i = 0; i < 20; i++) expect((await post(url, md())).errcode).toBe(0);
      expect((await post(url, md())).errcode).toBe(130101);
      clock.advance(2 * 60_000);
      expect((await post(url, md())).errcode).toBe(130101);
      clock.advance(9 * 60_000);
      expect((await post(url, md())).errcode).toBe(0);
      expect(ding.accepted).toHaveLength(21);
    } finally {
      await ding.close();
    }
  });

  it('checks signature, window, keyword, size, JSON and msgtype', async () => {
    const clock = movableClock();
    const ding = await startDingTalkSim({ now: clock.now });
    try {
      const base = ding.webhook();
      const signed = (ts: number, secret = DEFAULT_ROBOT.secret!) => `${base}&timestamp=${ts}&sign=${dingTalkSign(ts, secret)}`;
      const now = clock.now();
      expect((await post(signed(now), md())).errcode).toBe(0);
      expect(await post(signed(now - 2 * 3600_000), md())).toEqual({ errcode: 310000, errmsg: 'invalid timestamp' });
      expect(await post(signed(now, 'SECother-secret-value'), md())).toEqual({ errcode: 310000, errmsg: 'sign not match' });
      expect(await post(`${base}&timestamp=${now}&sign=${encodeURIComponent(dingTalkSign(now, DEFAULT_ROBOT.secret!))}`, md())).toEqual({
        errcode: 310000,
        errmsg: 'sign not match',
      });
      expect(await post(signed(now), md('no key word here'))).toEqual({ errcode: 310000, errmsg: 'keywords not in content' });
      expect((await post(signed(now), md(`VOD ${'x'.repeat(20_100)}`))).errcode).toBe(460101);
      expect((await post(signed(now), '{not json')).errcode).toBe(40035);
      expect((await post(signed(now), { msgtype: 'video' })).errcode).toBe(40035);
      expect((await post(signed(now), { msgtype: 'markdown', markdown: { text: 'VOD' } })).errcode).toBe(40035);
      expect((await post(ding.webhook('nope'), md())).errcode).toBe(300001);
      expect(ding.accepted).toHaveLength(1);
    } finally {
      await ding.close();
    }
  });
});

describe('the local VOD API', () => {
  const common = () => ({
    Action: 'DescribeVodRefreshTasks',
    Version: '2017-03-21',
    Format: 'JSON',
    AccessKeyId: DEFAULT_ACCOUNT.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomUUID(),
    Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });
  const send = async (url: string, params: Record<string, string>) => {
    const q = new URLSearchParams({ ...params, Signature: signRpc('GET', params, DEFAULT_ACCOUNT.accessKeySecret) }).toString().replace(/\+/g, '%20');
    const res = await fetch(`${url}/?${q}`);
    return { status: res.status, body: (await res.json()) as { Code?: string; TotalCount?: number } };
  };

  it('accepts a hand-signed request, refuses a replayed nonce and a stale timestamp', async () => {
    const sim = await startVodSim();
    try {
      const p = common();
      expect((await send(sim.url, p)).body.TotalCount).toBe(0);
      expect(await send(sim.url, p)).toMatchObject({ status: 400, body: { Code: 'SignatureNonceUsed' } });
      expect(await send(sim.url, { ...common(), Timestamp: new Date(Date.now() - 16 * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z') })).toMatchObject({
        status: 400,
        body: { Code: 'InvalidTimeStamp.Expired' },
      });
      expect(await send(sim.url, { ...common(), Timestamp: '2026-11-28 10:00:00' })).toMatchObject({ status: 400, body: { Code: 'InvalidTimeStamp.Format' } });
      expect(await send(sim.url, { ...common(), Action: 'GetVideoPlayAuth' })).toMatchObject({ status: 404, body: { Code: 'InvalidAction.NotFound' } });
      expect(await send(sim.url, { ...common(), Version: '2014-05-26' })).toMatchObject({ status: 400, body: { Code: 'InvalidVersion' } });
    } finally {
      await sim.close();
    }
  });
});
