import { startWorld } from '../helpers/world';

type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

/** The event Function Compute sends an onFailure destination function (FC 3.0 docs, 异步调用 / 结果回调): payloads are JSON strings. */
function destinationEvent(responsePayload: Record<string, unknown>, requestId = '1-670648a1-15197d0b-d07710222f9d') {
  return Buffer.from(
    JSON.stringify({
      timestamp: 1728465119433,
      requestContext: {
        requestId,
        functionArn: 'acs:fc:cn-shanghai:1234567890123456:functions/vod-refresh-monitor',
        condition: 'InvocationError',
        approximateInvokeCount: 2,
      },
      requestPayload: JSON.stringify({ triggerTime: '2024-10-09T09:11:59Z', triggerName: 'every-5-minutes', payload: '{}' }),
      responseContext: { statusCode: 200, functionError: 'InvocationError' },
      responsePayload: JSON.stringify(responsePayload),
    }),
  );
}

describe('the failure handler (onFailure destination)', () => {
  it('turns the documented timeout payload into one message, once per cause, with the fix', async () => {
    world = await startWorld();
    const watchdog = world.built.createWatchdog({ env: world.env, now: world.clock.now, logDestination: world.sink.stream });
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
    const watchdog = world.built.createWatchdog({ env: world.env, now: world.clock.now, logDestination: world.sink.stream });
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
    const watchdog = world.built.createWatchdog({ env: world.env, now: world.clock.now, logDestination: world.sink.stream });
    const token = new URL(world.env.DINGTALK_WEBHOOK!).searchParams.get('access_token')!;
    await watchdog(destinationEvent({ errorMessage: `boom while posting to ${world.env.DINGTALK_WEBHOOK} with ${world.env.DINGTALK_SECRET}` }), {});
    const all = `${world.texts().join('\n')}\n${world.sink.text()}`;
    expect(all).not.toContain(token);
    expect(all).not.toContain(world.env.DINGTALK_SECRET!);
  });

  it('refuses an event that is not a destination payload with a clear error', async () => {
    world = await startWorld();
    const watchdog = world.built.createWatchdog({ env: world.env, now: world.clock.now, logDestination: world.sink.stream });
    await expect(watchdog(Buffer.from('{"triggerTime":"x"}'), {})).rejects.toThrow(/requestContext/);
  });
});
