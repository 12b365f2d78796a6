import { ConfigError } from '../../lib/config';
import { classifyFcError, FcError, fcAdvice } from '../../lib/fc/errors';
import { fcRemote } from '../../lib/fc/remote';
import { fcSettings, functionNameOf } from '../../lib/fc/settings';
import { ASYNC_CONFIG_MISSING, type FcSim, type SimFunction, startFcSim } from '../../sim/fc/server';

const KEY = { accessKeyId: 'LTAI5tFcTestKey', accessKeySecret: 'fc-test-secret-5d1e' };
const local = (sim: FcSim) => ({ endpoint: sim.endpoint, protocol: 'http' as const, region: 'cn-shanghai' });

function fn(name: string, extra: Partial<SimFunction> = {}): SimFunction {
  return {
    functionName: name,
    runtime: 'nodejs20',
    handler: 'index.handler',
    memorySize: 128,
    timeout: 30,
    lastModifiedTime: '2026-11-28T01:00:00Z',
    triggers: [],
    ...extra,
  };
}

describe('the Function Compute 3.0 API client, against the simulator', () => {
  let sim: FcSim;
  afterEach(async () => {
    await sim?.close();
  });

  it('reads a function, its triggers, its async invoke config, and invokes it synchronously without a triggerTime', async () => {
    const timer = { triggerName: 'tick', triggerType: 'timer', triggerConfig: JSON.stringify({ cronExpression: '@every 5m', enable: true }) };
    const http = { triggerName: 'web', triggerType: 'http', triggerConfig: '{}' };
    sim = await startFcSim({
      accounts: [KEY],
      functions: [
        fn('mon', {
          triggers: [timer, http],
          environmentVariables: { BLIND_AFTER_MINUTES: '20' },
          asyncInvokeConfig: { destinationConfig: { onFailure: { destination: 'acs:fc:cn-shanghai:1:functions/mon-watchdog' } }, maxAsyncRetryAttempts: 1 },
          invoke: async (event) => ({ echo: JSON.parse(event.toString()) }),
        }),
      ],
    });
    const remote = fcRemote(local(sim), KEY);
    expect(await remote.getFunction('mon')).toMatchObject({
      name: 'mon',
      state: 'Active',
      runtime: 'nodejs20',
      timeoutSeconds: 30,
      environment: { BLIND_AFTER_MINUTES: '20' },
    });
    expect(await remote.listTriggers('mon')).toEqual([
      { name: 'tick', type: 'timer', enabled: true, cron: '@every 5m' },
      { name: 'web', type: 'http', enabled: null, cron: null },
    ]);
    expect(await remote.asyncInvokeConfig('mon')).toEqual({
      onFailure: 'acs:fc:cn-shanghai:1:functions/mon-watchdog',
      maxRetries: 1,
      maxEventAgeSeconds: null,
    });
    const r = await remote.invoke('mon', { status: true }, 5000);
    expect(r).toEqual({ ok: true, errorType: null, body: { echo: { triggerName: 'vod-refresh-monitor-cli', payload: '{"status":true}' } } });
    expect(sim.requests.at(-1)).toMatchObject({ method: 'POST', path: '/2023-03-30/functions/mon/invocations' });
    expect(sim.requests.at(-1)?.invocationType).toBeUndefined();
  });

  it('answers null for a missing function and a missing async invoke config', async () => {
    sim = await startFcSim({ accounts: [KEY], functions: [fn('mon')] });
    const remote = fcRemote(local(sim), KEY);
    expect(await remote.getFunction('absent')).toBeNull();
    expect(await remote.asyncInvokeConfig('mon')).toBeNull();
    const res = await fetch(`http://${sim.endpoint}/2023-03-30/functions/mon/async-invoke-config`);
    expect(res.status).toBe(401);
  });

  it('reports a function that threw, with its error type', async () => {
    sim = await startFcSim({ accounts: [KEY], functions: [fn('mon', { invoke: async () => Promise.reject(new TypeError('bad config')) })] });
    expect(await fcRemote(local(sim), KEY).invoke('mon', {}, 5000)).toEqual({
      ok: false,
      errorType: 'UnhandledInvocationError',
      body: { errorMessage: 'bad config', errorType: 'TypeError' },
    });
  });

  it.each([
    ['a wrong secret', { ...KEY, accessKeySecret: 'nope' }, 'SignatureDoesNotMatch', true],
    ['an unknown key', { ...KEY, accessKeyId: 'LTAI-unknown' }, 'InvalidAccessKeyId.NotFound', true],
  ])('classifies %s as a refusal, never as a missing function', async (_what, key, code, answered) => {
    sim = await startFcSim({ accounts: [KEY], functions: [fn('mon')] });
    const err = await fcRemote(local(sim), key)
      .getFunction('mon')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FcError);
    expect(err).toMatchObject({ code, answered });
    expect((err as Error).message).not.toContain('nope');
  });
});

describe('classifyFcError', () => {
  it.each([
    [
      { statusCode: 403, code: 'SignatureDoesNotMatch', data: { Code: 'SignatureDoesNotMatch', Message: 'string to sign is GET\n/2023-03-30 AccessKeyId=x' } },
      'SignatureDoesNotMatch',
      true,
      /secret is not the one/,
    ],
    [
      { statusCode: 403, code: 'AccessDenied', data: { Code: 'AccessDenied', Message: 'no permission for fc:GetFunction', RequestId: 'R1' } },
      'AccessDenied',
      true,
      /no permission/,
    ],
    [{ statusCode: 500, data: {} }, 'HTTP500', true, /HTTP500/],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' }, 'ECONNREFUSED', false, /connection failed/],
    [{ name: 'RequestTimeoutError', message: 'timeout' }, 'RequestTimeout', false, /no answer/],
    [new Error('weird'), 'UnknownError', false, /unexpected Error/],
  ])('%j becomes %s', (raw, code, answered, message) => {
    const e = classifyFcError(raw);
    expect({ code: e.code, answered: e.answered, message: message.test(e.message) }).toEqual({ code, answered, message: true });
  });

  it.each([
    ['InvalidAccessKeyId.NotFound', /ALIBABA_CLOUD_ACCESS_KEY_ID/],
    ['SignatureDoesNotMatch', /ALIBABA_CLOUD_ACCESS_KEY_SECRET/],
    ['AccessDenied', /fc:GetFunction, fc:ListTriggers, fc:GetFunctionAsyncInvokeConfig and fc:InvokeFunction/],
    ['RequestTimeTooSkewed', /clock/],
    ['ECONNREFUSED', /FC_ACCOUNT_ID and FC_REGION \(or FC_ENDPOINT\)/],
  ])('advice for %s fits its cause', (code, advice) => {
    expect(fcAdvice(code)).toMatch(advice);
  });
});

describe('where the Function Compute API is', () => {
  it.each([
    [{ FC_ACCOUNT_ID: '1234567890123456' }, { endpoint: '1234567890123456.cn-shanghai.fc.aliyuncs.com', protocol: 'https', region: 'cn-shanghai' }],
    [
      { FC_ACCOUNT_ID: '1234567890123456', FC_REGION: 'cn-hangzhou' },
      { endpoint: '1234567890123456.cn-hangzhou.fc.aliyuncs.com', protocol: 'https', region: 'cn-hangzhou' },
    ],
    [{ FC_ENDPOINT: '127.0.0.1:9000' }, { endpoint: '127.0.0.1:9000', protocol: 'http', region: 'cn-shanghai' }],
    [{ FC_ENDPOINT: 'https://1.cn-shanghai.fc.aliyuncs.com/' }, { endpoint: '1.cn-shanghai.fc.aliyuncs.com', protocol: 'https', region: 'cn-shanghai' }],
  ])('%j', (env, settings) => {
    expect(fcSettings(env)).toEqual(settings);
  });

  it.each([
    [{}, /FC_ACCOUNT_ID: is required/],
    [{ FC_ACCOUNT_ID: 'me' }, /FC_ACCOUNT_ID: is not an account ID/],
    [{ FC_ENDPOINT: 'http://fc.example.com' }, /FC_ENDPOINT: must be https/],
    [{ FC_ENDPOINT: 'a b' }, /FC_ENDPOINT: is not a host/],
    [{ FC_ACCOUNT_ID: '1234567', FC_REGION: 'Shanghai' }, /FC_REGION: "Shanghai" is not a region/],
  ])('refuses %j', (env, message) => {
    expect(() => fcSettings(env)).toThrow(ConfigError);
    expect(() => fcSettings(env)).toThrow(message);
  });

  it('names the function from --function, else FC_FUNCTION_NAME, else the default', () => {
    expect(functionNameOf('x', { FC_FUNCTION_NAME: 'y' })).toBe('x');
    expect(functionNameOf(undefined, { FC_FUNCTION_NAME: 'y' })).toBe('y');
    expect(functionNameOf(undefined, {})).toBe('vod-refresh-monitor');
    expect(() => functionNameOf(undefined, { FC_FUNCTION_NAME: 'a/b' })).toThrow(/FC_FUNCTION_NAME: "a\/b" is not a function name/);
  });

  it('the simulator names a missing async invoke config', () => {
    expect(ASYNC_CONFIG_MISSING).toBe('AsyncConfigNotExists');
  });
});
