import { bundledHandler } from '../../lib/cli/commands/run';
import { type CliIo, EXIT, main } from '../../lib/cli/main';
import type { HandlerFactory } from '../../lib/cli/session';
import { type CliWorld, startCliWorld } from './world';

let w: CliWorld;
beforeEach(async () => {
  w = await startCliWorld();
});
afterEach(async () => {
  await w.close();
});

/** The bundled handler, recording each event and context it is given. */
function recording() {
  const calls: Array<{ event: Record<string, unknown>; context: Record<string, unknown> }> = [];
  const factory: HandlerFactory = (o) => {
    const handler = bundledHandler(o);
    return (event, context) => {
      calls.push({ event: JSON.parse((event as Buffer).toString()) as Record<string, unknown>, context: context as Record<string, unknown> });
      return handler(event, context);
    };
  };
  return { calls, factory };
}

async function cli(argv: string[], factory: HandlerFactory) {
  const out: string[] = [];
  const io: CliIo = {
    stdout: (s) => out.push(s),
    stderr: () => undefined,
    env: w.env as Record<string, string>,
    now: w.world.clock.now,
    handlerFactory: factory,
  };
  return { code: await main(argv, io), out: out.join('\n') };
}

describe('run', () => {
  it('sends no triggerTime, so two runs in the same second are both real runs, never duplicates', async () => {
    const { calls, factory } = recording();
    w.world.fail('http://video.example.com/a.mp4');
    const first = await cli(['run', '--json'], factory);
    const second = await cli(['run', '--json'], factory);
    expect([first.code, second.code]).toEqual([EXIT.ok, EXIT.ok]);
    expect((JSON.parse(first.out) as { status: string; alerts: { messagesSent: number } }).alerts.messagesSent).toBe(1);
    expect((JSON.parse(second.out) as { status: string }).status).toBe('ok');
    for (const c of calls) expect(c.event).not.toHaveProperty('triggerTime');
    expect(JSON.parse(calls[0]!.event.payload as string)).toEqual({ dryRun: false });
  });

  it('takes its timeout from --timeout (default 300 s)', async () => {
    const { calls, factory } = recording();
    await cli(['run', '--dry-run'], factory);
    await cli(['run', '--dry-run', '--timeout', '45'], factory);
    expect(calls.map((c) => (c.context.function as { timeout: number }).timeout)).toEqual([300, 45]);
    expect(JSON.parse(calls[0]!.event.payload as string)).toEqual({ dryRun: true });
  });

  it('--dry-run prints the messages it would send, and sends nothing', async () => {
    w.world.fail('http://video.example.com/a.mp4');
    w.world.fail('http://video.example.com/b.mp4');
    const r = await w.cli(['run', '--dry-run']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain('status: ok (dry run: nothing sent, no state written)');
    expect(r.out).toMatch(/--- would send: VOD refresh: 2 failed ---/);
    expect(r.out).toContain('-- Origin Timeout: 2 failed');
    expect(w.world.ding.accepted).toHaveLength(0);
  });
});

describe('invoke', () => {
  it('runs the deployed function once with {"dryRun": true} and no triggerTime, and prints its report', async () => {
    w.world.fail('http://video.example.com/a.mp4');
    const r = await w.cli(['invoke']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain('status: ok (dry run: nothing sent, no state written)');
    expect(r.out).toContain('failures: 1 new');
    expect(r.out).toContain('--- would send: VOD refresh: 1 failed ---');
    expect(r.err).toContain('invoking vod-refresh-monitor once with {"dryRun": true}');
    const event = JSON.parse(w.fc.requests.find((q) => q.method === 'POST')!.body!) as Record<string, unknown>;
    expect(event).toEqual({ triggerName: 'vod-refresh-monitor-cli', payload: '{"dryRun":true}' });
    expect(w.world.ding.accepted).toHaveLength(0);
  });

  it('--json prints the report as the function returned it', async () => {
    const r = await w.cli(['invoke', '--json', '--function', 'vod-refresh-monitor']);
    expect(JSON.parse(r.out)).toMatchObject({ status: 'ok', dryRun: true });
  });
});
