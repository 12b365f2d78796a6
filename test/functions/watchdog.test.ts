import { readFileSync } from 'node:fs';
import path from 'node:path';
import { encodings } from '../../lib/redact';
import { FC_CREDENTIALS, startWorld } from '../helpers/world';

type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

const ARN = 'acs:fc:cn-shanghai:1234567890123456:functions/vod-refresh-monitor';
const CONTEXT = { requestId: 'watchdog-req', credentials: FC_CREDENTIALS };

/** The event Function Compute sends an onFailure destination function (FC 3.0 docs, 异步调用 / 结果回调): payloads are JSON strings. */
function destinationEvent(responsePayload: Record<string, unknown>, requestId = '1-670648a1-15197d0b-d07710222f9d') {
  return Buffer.from(
    JSON.stringify({
      timestamp: 1728465119433,
      requestContext: { requestId, functionArn: ARN, condition: 'InvocationError', approximateInvokeCount: 2 },
      requestPayload: JSON.stringify({ triggerTime: '2024-10-09T09:11:59Z', triggerName: 'every-5-minutes', payload: '{}' }),
      responseContext: { statusCode: 200, functionError: 'InvocationError' },
      responsePayload: JSON.stringify(responsePayload),
    }),
  );
}

/** The documented example (protocols.md §7): the condition is the only thing said, every other field is empty. */
const documented = (timestamp: number | string = 1660120276975) => ({
  timestamp,
  requestContext: { requestId: 'req-exhausted', functionArn: ARN, condition: 'FunctionResourceExhausted', approximateInvokeCount: 3 },
  requestPayload: '',
  responseContext: { statusCode: 200, functionError: '' },
  responsePayload: '',
});

function watchdogOf(w: World) {
  return w.built.createWatchdog({ env: w.env, now: w.clock.now, logDestination: w.sink.stream });
}

describe('the failure handler (onFailure destination)', () => {
  it('turns the documented timeout payload into one message, once per cause, with the fix', async () => {
    world = await startWorld();
    const watchdog = watchdogOf(world);
    const timeout = destinationEvent({ errorMessage: 'Function timed out after 120 seconds (maxMemoryUsage: 81MB)' });
    expect(await watchdog(timeout, { requestId: 'w1' })).toMatchObject({ announced: true, kind: 'timeout', delivered: true });
    expect(
      await watchdog(destinationEvent({ errorMessage: 'Function timed out after 120 seconds (maxMemoryUsage: 90MB)' }, 'other'), { requestId: 'w2' }),
    ).toMatchObject({ announced: false });
    expect(world.ding.accepted).toHaveLength(1);
    const text = world.texts()[0]!;
    expect(text).toContain('Function timed out after 120 seconds');
    expect(text).toContain('raise `timeout` in s.yaml');
    expect(text).toContain('1-670648a1-15197d0b-d07710222f9d');
    expect(world.ding.accepted[0]!.body.at?.atMobiles).toEqual(['13800000000']);
  });

  it('a run with a bad configuration produces one message through the failure handler; a good run later says it was blind', async () => {
    world = await startWorld();
    await world.run();
    world.env.STUCK_AFTER_MINUTES = 'soon';
    const err = (await world.run().catch((e: unknown) => e)) as Error;
    const watchdog = watchdogOf(world);
    for (let i = 0; i < 3; i++)
      await watchdog(destinationEvent({ errorMessage: err.message, errorType: 'Error', stackTrace: ['Error: invalid configuration'] }), {});
    expect(world.ding.accepted).toHaveLength(1);
    expect(world.texts()[0]).toContain('STUCK_AFTER_MINUTES');
    expect(world.texts()[0]).toContain('s.yaml (environmentVariables)');
    delete world.env.STUCK_AFTER_MINUTES;
    world.clock.advance(30 * 60_000);
    await world.run();
    expect(world.texts().at(-1)).toContain('The monitor was blind for 30 min');
    expect(world.texts().at(-1)).toContain('STUCK_AFTER_MINUTES');
    world.env.STUCK_AFTER_MINUTES = 'soon';
    await watchdog(destinationEvent({ errorMessage: err.message }), {});
    expect(world.ding.accepted).toHaveLength(3);
  });

  it('never repeats a secret the failed run carried', async () => {
    world = await startWorld();
    const watchdog = watchdogOf(world);
    const token = new URL(world.env.DINGTALK_WEBHOOK!).searchParams.get('access_token')!;
    await watchdog(destinationEvent({ errorMessage: `boom while posting to ${world.env.DINGTALK_WEBHOOK} with ${world.env.DINGTALK_SECRET}` }), {});
    const all = `${world.texts().join('\n')}\n${world.sink.text()}`;
    expect(all).not.toContain(token);
    expect(all).not.toContain(world.env.DINGTALK_SECRET!);
  });

  it('takes a timer event for a tick of its own timer, not for a failure', async () => {
    world = await startWorld();
    const report = await watchdogOf(world)(Buffer.from('{"triggerTime":"2026-01-01T00:00:00Z","triggerName":"watchdog-timer","payload":""}'), CONTEXT);
    expect(report).toMatchObject({ mode: 'timer', announced: false, heartbeat: { outage: false } });
    expect(world.ding.accepted).toHaveLength(0);
  });
});

// Every shape an onFailure event may take, and what on-call must read for it: the cause, never empty, and its fix.
const SHAPES: Array<[string, unknown, RegExp, RegExp]> = [
  [
    'the documented example (FunctionResourceExhausted, empty fields)',
    Buffer.from(JSON.stringify(documented())),
    /it ran out of resources \(condition FunctionResourceExhausted\)/,
    /raise `memorySize` in s\.yaml/,
  ],
  [
    'the documented example with an ISO timestamp',
    Buffer.from(JSON.stringify(documented(new Date(Date.now() - 60_000).toISOString()))),
    /ran out of resources/,
    /memorySize/,
  ],
  [
    'a timeout condition and nothing else',
    Buffer.from(JSON.stringify({ ...documented(), requestContext: { condition: 'FunctionTimeout' } })),
    /went past the function timeout \(condition FunctionTimeout\)/,
    /raise `timeout` in s\.yaml/,
  ],
  [
    'an unhandled error with its message',
    Buffer.from(
      JSON.stringify({
        ...documented(),
        requestContext: { requestId: 'r-unhandled', condition: 'UnhandledInvocationError' },
        responsePayload: JSON.stringify({ errorMessage: 'TypeError: x is not a function', errorType: 'TypeError' }),
      }),
    ),
    /TypeError: x is not a function/,
    /`npx s vod-refresh-monitor logs --request-id r-unhandled`/,
  ],
  [
    'an unhandled error without a message',
    Buffer.from(JSON.stringify({ ...documented(), requestContext: { condition: '' }, responseContext: { functionError: 'UnhandledInvocationError' } })),
    /ended with an error Function Compute did not pass on \(condition UnhandledInvocationError\)/,
    /`npx s vod-refresh-monitor logs --type fail`/,
  ],
  [
    'a configuration the monitor refused',
    Buffer.from(JSON.stringify({ ...documented(), responsePayload: JSON.stringify({ errorMessage: 'invalid configuration:\n  VOD_CONCURRENCY: 99' }) })),
    /VOD_CONCURRENCY: 99/,
    /s\.yaml \(environmentVariables\)/,
  ],
  [
    'the concurrency limit',
    Buffer.from(JSON.stringify({ ...documented(), requestContext: { condition: 'ResourceThrottled' } })),
    /concurrency limit was reached \(condition ResourceThrottled\)/,
    /reserved instance/,
  ],
  [
    'an unknown condition',
    Buffer.from(JSON.stringify({ ...documented(), requestContext: { condition: 'SomethingNew' } })),
    /an unrecognised failure event \(condition "SomethingNew"\)/,
    /watchdog-event line/,
  ],
  ['{}', Buffer.from('{}'), /an unrecognised failure event \(a JSON object without requestContext\)/, /watchdog-event line/],
  [
    'every field empty',
    Buffer.from(
      JSON.stringify({ timestamp: '', requestContext: { requestId: '', condition: '' }, responseContext: { functionError: '' }, responsePayload: '' }),
    ),
    /an unrecognised failure event \(no condition\)/,
    /watchdog-event line/,
  ],
  [
    'a string requestContext',
    Buffer.from(JSON.stringify({ requestContext: 'FunctionResourceExhausted' })),
    /ran out of resources \(condition FunctionResourceExhausted\)/,
    /memorySize/,
  ],
  ['a body that is not JSON', Buffer.from('oops, not json'), /an unrecognised failure event \(a body that is not JSON: "oops, not json"\)/, /watchdog-event/],
  ['an empty body', Buffer.alloc(0), /an unrecognised failure event \(an empty body\)/, /watchdog-event/],
  ['binary', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x9c, 0x80, 0x7b]), /an unrecognised failure event \(binary data, not JSON/, /watchdog-event/],
];

describe('the failure handler reads every event shape, and never throws', () => {
  it.each(SHAPES)('%s', async (_name, event, cause, fix) => {
    world = await startWorld();
    const report = (await watchdogOf(world)(event, CONTEXT)) as { delivered: boolean; cause: string };
    expect(report.delivered).toBe(true);
    const [text] = world.texts();
    expect(text).toMatch(cause);
    expect(text).toMatch(fix);
    expect(text).not.toMatch(/\): \.|: \. Fix/);
    expect(report.cause.trim()).not.toBe('');
  });

  it('logs an event it cannot read as received, redacted', async () => {
    world = await startWorld();
    await watchdogOf(world)(Buffer.from(`garbage with ${FC_CREDENTIALS.securityToken}`), CONTEXT);
    const line = world.sink.records().find((r) => r.event === 'watchdog-event')!;
    expect(line.received).toBe('garbage with ***');
  });
});

describe("the role's credentials never leave the watchdog", () => {
  const secrets = [FC_CREDENTIALS.accessKeySecret, FC_CREDENTIALS.securityToken];
  const carrying = (s: string) => [
    `signing failed for AccessKeySecret=${s}`,
    `token ${encodeURIComponent(s)} refused`,
    `base64 ${Buffer.from(s).toString('base64')}`,
    `GET /?SecurityToken=${s}&Signature=abc`,
  ];

  it.each(secrets)('%s: not in the DingTalk message, the log, the report or watchdog.json, in any encoding', async (secret) => {
    world = await startWorld();
    const watchdog = watchdogOf(world);
    const reports: unknown[] = [];
    for (const message of carrying(secret)) {
      reports.push(await watchdog(destinationEvent({ errorMessage: message }, `id-${message.length}`), CONTEXT));
      reports.push(await watchdog(Buffer.from(JSON.stringify({ ...documented(), requestContext: { condition: message, requestId: secret } })), CONTEXT));
      reports.push(await watchdog(Buffer.from(`${message} (not json)`), CONTEXT));
    }
    expect(world.ding.accepted.length).toBeGreaterThanOrEqual(4);
    const memory = readFileSync(path.join(world.dir, 'watchdog.json'), 'utf8');
    const everything = [...world.texts(), world.sink.text(), JSON.stringify(reports), memory].join('\n');
    for (const form of encodings(secret)) expect(everything).not.toContain(form);
  });
});
