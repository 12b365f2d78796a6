import { createHash } from 'node:crypto';
import * as v from 'valibot';
import type { Cause, Memory } from './memory';

/**
 * The event Function Compute sends an `onFailure` destination function after an asynchronous invocation failed for
 * good (FC 3.0, "异步调用 / 结果回调"): `requestPayload` and `responsePayload` are JSON-encoded strings.
 */
const destinationEvent = v.object({
  timestamp: v.optional(v.union([v.number(), v.string()])),
  requestContext: v.object({
    requestId: v.optional(v.string()),
    functionArn: v.optional(v.string()),
    condition: v.optional(v.string()),
    approximateInvokeCount: v.optional(v.number()),
  }),
  requestPayload: v.optional(v.unknown()),
  responseContext: v.optional(v.object({ statusCode: v.optional(v.number()), functionError: v.optional(v.string()) })),
  responsePayload: v.optional(v.unknown()),
});

/** A failed run, as the failure handler understands it. */
export interface Failure {
  readonly kind: Cause['kind'];
  /** The error, as Function Compute reported it (already redacted by the monitor when it threw). */
  readonly text: string;
  readonly requestId: string | null;
  readonly functionName: string | null;
  readonly attempts: number;
  readonly atMs: number;
}

function payloadOf(raw: unknown): { errorMessage?: string; errorType?: string } {
  if (typeof raw === 'string') {
    try {
      return payloadOf(JSON.parse(raw));
    } catch {
      return { errorMessage: raw };
    }
  }
  return raw && typeof raw === 'object' ? (raw as { errorMessage?: string; errorType?: string }) : {};
}

/** Parses the destination event; throws a plain Error naming what is missing when it is not one. */
export function parseFailure(event: unknown, nowMs: number): Failure {
  let raw = event;
  if (Buffer.isBuffer(raw)) raw = raw.toString('utf8');
  if (typeof raw === 'string') raw = JSON.parse(raw);
  const e = v.parse(destinationEvent, raw);
  const response = payloadOf(e.responsePayload);
  const text = (response.errorMessage ?? e.responseContext?.functionError ?? e.requestContext.condition ?? 'the run failed without a message').slice(0, 1000);
  const atMs =
    typeof e.timestamp === 'number' ? e.timestamp : typeof e.timestamp === 'string' && !Number.isNaN(Date.parse(e.timestamp)) ? Date.parse(e.timestamp) : nowMs;
  const kind: Cause['kind'] = /invalid configuration|ConfigError/i.test(text)
    ? 'config'
    : /timed out|timeout/i.test(text)
      ? 'timeout'
      : /memory|exited unexpectedly|signal: killed|\bOOM\b/i.test(text)
        ? 'memory'
        : 'error';
  return {
    kind,
    text,
    requestId: e.requestContext.requestId ?? null,
    functionName: e.requestContext.functionArn?.split('/').at(-1) ?? null,
    attempts: e.requestContext.approximateInvokeCount ?? 1,
    atMs,
  };
}

/** One key per cause: numbers (times, ids, durations) do not make a new cause. */
export function causeKey(f: Pick<Failure, 'kind' | 'text'>): string {
  return createHash('sha1')
    .update(`${f.kind}\n${f.text.replace(/\d+/g, '#')}`)
    .digest('hex')
    .slice(0, 16);
}

/** What on-call should do about a failed run of this kind. */
export function failureAdvice(kind: Cause['kind']): string {
  switch (kind) {
    case 'config':
      return 'fix the variable(s) named above in s.yaml (environmentVariables) or in your shell, then `s deploy`';
    case 'timeout':
      return 'the run was killed at the function timeout; the monitor stops itself before it, so something hung (the OSS mount, DNS): look at `s logs --request-id <id>`, and raise `timeout` in s.yaml if runs are merely slow';
    case 'memory':
      return 'the run ran out of memory or crashed: raise `memorySize` in s.yaml (128 -> 256) and `s deploy`';
    default:
      return 'look at the run in SLS: `s logs --request-id <id>`; if it repeats, report it with that log';
  }
}

/**
 * Whether to tell on-call: once per cause per outage. A cause already told is told again only after the monitor
 * has had a good run since (then it is a new outage). Pure; returns the memory to save.
 */
export function decideAnnouncement(
  memory: Memory,
  failure: Failure,
  monitorLastOkMs: number | null,
  nowMs: number,
): { announce: boolean; key: string; memory: Memory } {
  const key = causeKey(failure);
  const seen = memory.causes[key];
  const told = seen?.announcedAtMs ?? null;
  const announce = told === null || (monitorLastOkMs !== null && monitorLastOkMs > told);
  const cause: Cause = {
    kind: failure.kind,
    text: failure.text,
    firstAtMs: seen && !announce ? seen.firstAtMs : failure.atMs,
    lastAtMs: failure.atMs,
    count: (seen && !announce ? seen.count : 0) + 1,
    announcedAtMs: announce ? null : told,
    requestId: failure.requestId,
  };
  const causes = Object.fromEntries(Object.entries(memory.causes).filter(([, c]) => nowMs - c.lastAtMs < 7 * 86_400_000));
  return { announce, key, memory: { causes: { ...causes, [key]: cause } } };
}
