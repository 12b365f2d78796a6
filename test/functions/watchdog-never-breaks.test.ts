// Properties of the built watchdog: whatever event arrives it returns a report and never throws, and a secret of the
// role placed in any field of any event appears nowhere it writes (the robot, the log, the report, watchdog.json).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { encodings } from '../../lib/redact';
import { startWorld } from '../helpers/world';

type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

const watchdog = () => world.built.createWatchdog({ env: world.env, now: world.clock.now, logDestination: world.sink.stream });

/** Bytes, text and JSON as Function Compute could hand them over: a Buffer, mostly. */
const anyEvent = fc.oneof(
  fc.jsonValue().map((j) => Buffer.from(JSON.stringify(j) ?? '')),
  fc.jsonValue(),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
  fc.string({ maxLength: 200 }),
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
  fc.record(
    {
      timestamp: fc.oneof(fc.integer(), fc.string(), fc.constant(''), fc.double()),
      requestContext: fc.oneof(
        fc.string(),
        fc.jsonValue(),
        fc.record({ condition: fc.string(), requestId: fc.string(), approximateInvokeCount: fc.jsonValue() }),
      ),
      responseContext: fc.oneof(fc.jsonValue(), fc.record({ functionError: fc.string() })),
      responsePayload: fc.oneof(
        fc.string(),
        fc.jsonValue(),
        fc.record({ errorMessage: fc.jsonValue(), errorType: fc.jsonValue() }).map((r) => JSON.stringify(r)),
      ),
    },
    { requiredKeys: [] },
  ),
);

it('returns a report and never throws, whatever the event', async () => {
  await fc.assert(
    fc.asyncProperty(anyEvent, async (event) => {
      world.clock.advance(60_000);
      const report = (await watchdog()(event, { requestId: 'p' })) as { mode?: unknown; cause?: unknown; delivered?: unknown };
      expect(['failure', 'timer', 'status']).toContain(report.mode);
      expect(typeof report.cause).toBe('string');
      expect(typeof report.delivered).toBe('boolean');
    }),
    { numRuns: 80 },
  );
});

/** A secret as STS keys look, with the characters that encodings change (`+`, `/`, `=`, `%`). */
const secret = fc
  .stringMatching(/^[A-Za-z0-9+/=%_.~-]{8,32}$/)
  .filter((s) => /[A-Za-z0-9]{3}/.test(s))
  .map((s) => `Zq${s}`);
const FIELDS = ['errorMessage', 'errorType', 'functionError', 'condition', 'requestId', 'functionArn', 'timestamp', 'requestContext', 'body'] as const;

function carrying(field: (typeof FIELDS)[number], s: string, around: string): unknown {
  const payload: Record<string, unknown> = {};
  const rc: Record<string, unknown> = { requestId: 'r', condition: 'UnhandledInvocationError' };
  const rsp: Record<string, unknown> = { functionError: '' };
  const e: Record<string, unknown> = { timestamp: 1, requestContext: rc, responseContext: rsp, responsePayload: payload };
  const text = `${around}${s}${around}`;
  if (field === 'errorMessage' || field === 'errorType') payload[field] = text;
  else if (field === 'functionError') rsp.functionError = text;
  else if (field === 'condition' || field === 'requestId' || field === 'functionArn') rc[field] = text;
  else if (field === 'timestamp') e.timestamp = text;
  else if (field === 'requestContext') e.requestContext = text;
  else return `${text} (a body that is not JSON)`;
  e.responsePayload = JSON.stringify(payload);
  return e;
}

const asSent = fc.constantFrom('object', 'json', 'buffer', 'binary-prefix');

it('never shows a secret of the context, placed in any field, anywhere it writes', async () => {
  await fc.assert(
    fc.asyncProperty(secret, fc.constantFrom(...FIELDS), fc.string({ maxLength: 600 }), asSent, async (s, field, around, how) => {
      world.clock.advance(60_000);
      const sent = world.ding.accepted.length;
      const logged = world.sink.lines.length;
      const value = carrying(field, s, around);
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      const event =
        how === 'object' ? value : how === 'json' ? text : how === 'buffer' ? Buffer.from(text) : Buffer.concat([Buffer.from([0xff, 0x00]), Buffer.from(text)]);
      const report = await watchdog()(event, { requestId: 'p', credentials: { accessKeyId: 'STS.id', accessKeySecret: s, securityToken: `tok-${s}` } });
      const written = [
        ...world.texts().slice(sent),
        ...world.sink.lines.slice(logged),
        JSON.stringify(report),
        readFileSync(path.join(world.dir, 'watchdog.json'), 'utf8'),
      ].join('\n');
      for (const form of encodings(s)) expect(written).not.toContain(form);
    }),
    { numRuns: 120 },
  );
});
