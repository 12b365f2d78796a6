import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { makeRedactor } from '../../lib/redact';
import { causeKey, decideAnnouncement, type Failure, failureAdvice, MONITOR_LOGS, parseFailure } from '../../lib/watchdog/failure';
import { FAILURE_KINDS, type Memory } from '../../lib/watchdog/memory';

const NOW = Date.UTC(2026, 0, 5, 2, 0, 0);
const none = (s: string) => s;
const event = (over: Record<string, unknown>) => ({
  timestamp: NOW - 60_000,
  requestContext: { requestId: 'r1', functionArn: 'acs:fc:cn-shanghai:1:functions/vod-refresh-monitor', condition: '', approximateInvokeCount: 2 },
  requestPayload: '',
  responseContext: { statusCode: 200, functionError: '' },
  responsePayload: '',
  ...over,
});

describe('parseFailure: the cause by precedence that skips empty fields', () => {
  it.each<[string, unknown, Failure['kind'], RegExp, boolean]>([
    [
      'a message beats the condition',
      event({ responsePayload: '{"errorMessage":"disk full"}', requestContext: { condition: 'FunctionResourceExhausted' } }),
      'memory',
      /^disk full$/,
      true,
    ],
    [
      'a message that names a timeout beats the condition',
      event({ responsePayload: '{"errorMessage":"Function timed out"}', requestContext: { condition: 'UnhandledInvocationError' } }),
      'timeout',
      /timed out/,
      true,
    ],
    [
      'an empty message gives way to functionError',
      event({ responsePayload: '{"errorMessage":"  "}', responseContext: { functionError: 'UnhandledInvocationError' } }),
      'error',
      /condition UnhandledInvocationError/,
      true,
    ],
    ['an empty condition gives way to functionError', event({ responseContext: { functionError: 'FunctionTimeout' } }), 'timeout', /function timeout/, true],
    ['a plain-text payload is the message', event({ responsePayload: 'killed: out of memory' }), 'memory', /^killed: out of memory$/, true],
    ['an object payload', event({ responsePayload: { errorMessage: 'invalid configuration:\n  X' } }), 'config', /invalid configuration/, true],
    ['internal errors', event({ requestContext: { condition: 'InternalServerError' } }), 'platform', /on its side/, true],
    ['an unknown condition', event({ requestContext: { condition: 'Weird' } }), 'unknown', /^an unrecognised failure event \(condition "Weird"\)$/, false],
    ['a requestContext that is JSON text', event({ requestContext: '{"condition":"FunctionResourceExhausted"}' }), 'memory', /ran out of resources/, true],
    [
      'a requestContext that is a number',
      event({ requestContext: 7 }),
      'unknown',
      /^an unrecognised failure event \(a requestContext that is not an object\)$/,
      false,
    ],
    ['an array', [1, 2], 'unknown', /a JSON array/, false],
    ['null', null, 'unknown', /a JSON null/, false],
    ['undefined', undefined, 'unknown', /^an unrecognised failure event \(an empty body\)$/, false],
  ])('%s', (_name, e, kind, text, recognised) => {
    const f = parseFailure(e, NOW, none);
    expect(f.kind).toBe(kind);
    expect(f.text).toMatch(text);
    expect(f.recognised).toBe(recognised);
  });

  it.each<[string, unknown, number]>([
    ['epoch ms', NOW - 5000, NOW - 5000],
    ['epoch seconds', Math.floor((NOW - 5000) / 1000), NOW - 5000],
    ['an ISO string', new Date(NOW - 5000).toISOString(), NOW - 5000],
    ['digits as text', String(NOW - 5000), NOW - 5000],
    ['an empty string', '', NOW],
    ['garbage', 'yesterday', NOW],
    ['the far future', NOW + 365 * 86_400_000, NOW],
    ['not a number', Number.NaN, NOW],
  ])('reads the time from %s', (_name, timestamp, atMs) => {
    expect(parseFailure(event({ timestamp, requestContext: { condition: 'FunctionResourceExhausted' } }), NOW, none).atMs).toBe(atMs);
  });

  it('reads the request, the function and the attempts, bounded', () => {
    const f = parseFailure(
      event({
        requestContext: {
          requestId: 'x'.repeat(500),
          functionArn: 'acs:fc:cn-shanghai:1:functions/mon',
          approximateInvokeCount: 3.7,
          condition: 'FunctionResourceExhausted',
        },
      }),
      NOW,
      none,
    );
    expect(f).toMatchObject({ functionName: 'mon', attempts: 3 });
    expect(f.requestId!.length).toBe(100);
    expect(parseFailure(event({ requestContext: { approximateInvokeCount: -4 } }), NOW, none).attempts).toBe(1);
  });

  it('cuts a secret short only after redacting it, never leaving half of it', () => {
    const secret = 'S3cret-abcdefghijklmnop';
    const redact = makeRedactor([secret]);
    for (let pad = 980; pad < 1010; pad++) {
      const f = parseFailure(event({ responsePayload: JSON.stringify({ errorMessage: `${'x'.repeat(pad)}${secret}` }) }), NOW, redact);
      expect(f.text).not.toContain(secret.slice(0, 8));
    }
    const escaped = `{"requestContext":{"condition":"${secret.replace('-', '\\u002d')}"}}`;
    expect(JSON.stringify(parseFailure(escaped, NOW, redact))).not.toContain(secret);
  });
});

describe('failureAdvice: the fix for each kind', () => {
  it.each<[Failure['kind'], RegExp]>([
    ['config', /s\.yaml \(environmentVariables\)/],
    ['timeout', /raise `timeout`/],
    ['memory', /raise `memorySize`/],
    ['throttled', /reservedConcurrency|reserved instance/],
    ['platform', /does not retry/],
    ['unknown', /watchdog-event/],
    ['error', /`npx s vod-refresh-monitor logs --request-id r-1`/],
  ])('%s', (kind, fix) => {
    expect(failureAdvice(kind, 'r-1')).toMatch(fix);
  });

  it.each(FAILURE_KINDS)('%s: every command it gives runs as the README installs `s` (npx s, the resource named)', (kind) => {
    for (const id of ['r-1', null]) {
      const commands = [...failureAdvice(kind, id).matchAll(/`([^`]*\blogs\b[^`]*)`/g)].map((m) => m[1]);
      for (const c of commands)
        expect(c).toMatch(id === null ? /^npx s vod-refresh-monitor logs --type fail$/ : /^npx s vod-refresh-monitor logs (--request-id r-1|--type fail)$/);
      expect(failureAdvice(kind, id)).not.toMatch(/`s |<id>/);
    }
  });
});

describe('decideAnnouncement: once per cause per outage', () => {
  const f = parseFailure(event({ responsePayload: '{"errorMessage":"boom after 120 s"}' }), NOW, none);
  const empty: Memory = { causes: {}, watch: null };

  it('ignores numbers in a cause', () => {
    expect(causeKey({ kind: 'error', text: 'boom after 120 s' })).toBe(causeKey({ kind: 'error', text: 'boom after 7 s' }));
    expect(causeKey({ kind: 'error', text: 'boom' })).not.toBe(causeKey({ kind: 'timeout', text: 'boom' }));
  });

  it('tells a new cause, counts a told one, and tells it again after a good run', () => {
    const first = decideAnnouncement(empty, f, null, NOW);
    expect(first.announce).toBe(true);
    const told: Memory = { causes: { [first.key]: { ...first.causes[first.key]!, announcedAtMs: NOW } }, watch: null };
    const again = decideAnnouncement(told, f, NOW - 1000, NOW + 1000);
    expect(again).toMatchObject({ announce: false, causes: { [first.key]: { count: 2, announcedAtMs: NOW } } });
    expect(decideAnnouncement(told, f, NOW + 500, NOW + 1000).announce).toBe(true);
  });

  it('tells again a cause whose alert was not delivered', () => {
    const first = decideAnnouncement(empty, f, null, NOW);
    expect(decideAnnouncement({ causes: first.causes, watch: null }, f, null, NOW + 1000).announce).toBe(true);
  });
});

it("the resource the fix commands name is the monitor's resource in s.yaml", () => {
  const yaml = load(readFileSync(path.join(__dirname, '..', '..', 's.yaml'), 'utf8')) as { resources: Record<string, { props: { handler: string } }> };
  const resource = /^npx s (\S+) logs$/.exec(MONITOR_LOGS)?.[1];
  expect(yaml.resources[resource!]?.props.handler).toBe('index.handler');
});

describe("parseFailure: the failed run's scheduled tick, from the event it was invoked with", () => {
  const timer = { triggerTime: '2026-01-05T01:55:00Z', triggerName: 'monitor-timer', payload: '{}' };
  it.each<[string, unknown, number | null]>([
    ['the timer event, as JSON text', JSON.stringify(timer), Date.parse(timer.triggerTime)],
    ['the timer event, as an object', timer, Date.parse(timer.triggerTime)],
    ['an empty payload', '', null],
    ['a payload without triggerTime', '{"payload":"{}"}', null],
    ['a triggerTime that is not a time', '{"triggerTime":"soon"}', null],
  ])('%s', (_name, requestPayload, ms) => {
    expect(parseFailure(event({ requestPayload }), NOW, none).triggeredAtMs).toBe(ms);
  });
});
