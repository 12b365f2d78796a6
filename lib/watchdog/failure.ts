import { createHash } from 'node:crypto';
import type { Cause, Memory } from './memory';

/**
 * Function Compute's `onFailure` event to a function destination (FC 3.0, "异步调用 / 结果回调"): `{timestamp,
 * requestContext: {requestId, functionArn, condition, approximateInvokeCount}, requestPayload, responseContext:
 * {statusCode, functionError}, responsePayload}`, payloads as JSON-encoded strings. Any field may be empty, the
 * timestamp may be a number or an ISO string, and the list of conditions is not documented in full: nothing here
 * may throw, whatever arrives.
 */

/** A failed run, as the failure handler understands it. Every text is redacted and bounded. */
export interface Failure {
  readonly kind: Cause['kind'];
  /** The cause, in words: the error's message, else the condition described, else "an unrecognised failure event". */
  readonly text: string;
  readonly condition: string | null;
  readonly requestId: string | null;
  readonly functionName: string | null;
  readonly attempts: number;
  readonly atMs: number;
  /** The failed run's scheduled tick: the `triggerTime` of the timer event it was invoked with; null when not given. */
  readonly triggeredAtMs: number | null;
  /** False when the event did not say what failed: the raw event is then logged. */
  readonly recognised: boolean;
  /** The event as received, redacted, for the log (at most 2 KB). */
  readonly raw: string;
}

const MAX_TEXT = 1000;
const MAX_RAW = 2048;

/** Known conditions (Function Compute's error codes), what they mean, and the kind of fix they need. */
const CONDITIONS: ReadonlyArray<readonly [RegExp, Cause['kind'], string]> = [
  [/ResourceExhausted|OutOfMemory|\bOOM\b/i, 'memory', 'Function Compute stopped the run: it ran out of resources'],
  [/Time[d]?[ _-]?out/i, 'timeout', 'the run went past the function timeout'],
  [/Throttl|Concurrency|TooManyRequests|EventAge|Expired/i, 'throttled', 'Function Compute could not start the run in time: the concurrency limit was reached'],
  [/InternalError|InternalServer|ServiceUnavailable|SystemError/i, 'platform', 'Function Compute failed on its side'],
  [/InvocationError|Unhandled|FunctionError|Crash/i, 'error', 'the run ended with an error Function Compute did not pass on'],
];

/** The kind an error message itself points at, if any (it is more precise than the condition around it). */
function kindOfText(text: string): Cause['kind'] | null {
  if (/invalid configuration|ConfigError/i.test(text)) return 'config';
  if (/timed out|timeout/i.test(text)) return 'timeout';
  if (/out of memory|heap limit|exited unexpectedly|signal: killed|\bOOM\b/i.test(text)) return 'memory';
  return null;
}

const bound = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** A non-empty text, trimmed; numbers as text; anything else null (empty strings never win a precedence). */
function textOf(x: unknown): string | null {
  if (typeof x === 'string') return x.trim() === '' ? null : x.trim();
  if (typeof x === 'number' && Number.isFinite(x)) return String(x);
  return null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const asRecord = (x: unknown): Record<string, unknown> | null => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Record<string, unknown>) : null);

/** The event as text: bytes as UTF-8, a value as its JSON. */
function textOfEvent(event: unknown): { text: string; json: boolean } {
  if (event instanceof Uint8Array) return { text: Buffer.from(event.buffer, event.byteOffset, event.byteLength).toString('utf8'), json: false };
  if (typeof event === 'string') return { text: event, json: false };
  if (event === undefined) return { text: '', json: false };
  try {
    const text = JSON.stringify(event);
    if (typeof text === 'string') return { text, json: true };
  } catch {
    // a cycle, a BigInt: described by its type below
  }
  return { text: `(a ${typeof event})`, json: false };
}

/**
 * The event redacted as text first, then parsed: every field read below is already free of secrets, so cutting a
 * field short can never leave half a secret behind.
 */
function decode(event: unknown, redact: (s: string) => string): { value: unknown; text: string } {
  const { text: raw, json } = textOfEvent(event);
  const text = redact(raw);
  const parsed = text.trim() === '' ? undefined : parseJson(text);
  return { value: parsed === undefined ? (json ? null : text) : parsed, text };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters (and U+FFFD, bytes that are not UTF-8) tell bytes from text
const BINARY = /[\u0000-\u0008\u000e-\u001f\ufffd]/;

/** What a body that is not a destination event was, in words. */
function shapeOf(value: unknown, text: string): string {
  if (text.trim() === '') return 'an empty body';
  if (typeof value === 'string')
    return BINARY.test(value) ? `binary data, not JSON (${value.length} characters)` : `a body that is not JSON: ${JSON.stringify(bound(value, 120))}`;
  if (Array.isArray(value)) return 'a JSON array';
  const o = asRecord(value);
  if (o) return 'requestContext' in o ? 'a requestContext that is not an object' : 'a JSON object without requestContext';
  return `a JSON ${value === null ? 'null' : typeof value}`;
}

function payloadOf(raw: unknown): { message: string | null; type: string | null } {
  const value = typeof raw === 'string' ? (parseJson(raw) ?? raw) : raw;
  if (typeof value === 'string') return { message: textOf(value), type: null };
  const r = asRecord(value);
  return { message: textOf(r?.errorMessage), type: textOf(r?.errorType) };
}

/** The triggerTime of the event the failed run was invoked with (requestPayload: the timer event, as JSON). */
function triggeredOf(raw: unknown): number | null {
  const t = textOf(asRecord(typeof raw === 'string' ? parseJson(raw) : raw)?.triggerTime);
  const ms = t === null ? Number.NaN : Date.parse(t);
  return Number.isFinite(ms) ? ms : null;
}

/** The event's time: epoch ms (or seconds), or an ISO string; anything else, or a time far off, is now. */
function timeOf(x: unknown, nowMs: number): number {
  const text = typeof x === 'string' ? x.trim() : null;
  let n = typeof x === 'number' ? x : text !== null && /^\d+$/.test(text) ? Number(text) : text !== null ? Date.parse(text) : Number.NaN;
  if (n > 0 && n < 1e11) n *= 1000;
  return Number.isFinite(n) && n > nowMs - 30 * 86_400_000 && n < nowMs + 3600_000 ? n : nowMs;
}

/** requestContext: an object, or a string holding one; a string that is not JSON is taken as the condition. */
function contextOf(x: unknown): Record<string, unknown> | null {
  if (typeof x === 'string') return asRecord(parseJson(x)) ?? { condition: x };
  return asRecord(x);
}

/** What the event says failed, by precedence that skips empty fields: message, then code, then the event's shape. */
function causeOf(e: Record<string, unknown> | null, rc: Record<string, unknown> | null, shape: string, redact: (s: string) => string) {
  const response = payloadOf(e?.responsePayload);
  const functionError = textOf(asRecord(e?.responseContext)?.functionError);
  const condition = textOf(rc?.condition);
  const code = condition ?? functionError ?? response.type;
  const known = code === null ? undefined : CONDITIONS.find(([re]) => re.test(code));
  if (response.message) return { text: response.message, kind: kindOfText(response.message) ?? known?.[1] ?? 'error', condition: code, recognised: true };
  if (known) return { text: `${known[2]} (condition ${code})`, kind: known[1], condition: code, recognised: true };
  const what = code !== null ? `condition ${JSON.stringify(bound(redact(code), 200))}` : rc ? 'no condition' : shape;
  return { text: `an unrecognised failure event (${what})`, kind: 'unknown' as const, condition: code, recognised: false };
}

/** Parses whatever arrived as a failure; never throws. Every text is redacted before it is read, then bounded. */
export function parseFailure(event: unknown, nowMs: number, redact: (s: string) => string): Failure {
  const { value, text } = decode(event, redact);
  const e = asRecord(value);
  const rc = e ? contextOf(e.requestContext) : null;
  const cause = causeOf(e, rc, shapeOf(value, text), redact);
  // Again on each field: JSON escapes (`\/`, `\u0041`) can hide a secret from the pass over the text.
  const clean = (s: string | null, max: number) => (s === null ? null : bound(redact(s), max));
  const count = rc?.approximateInvokeCount;
  return {
    kind: cause.kind,
    text: clean(cause.text, MAX_TEXT)!,
    condition: clean(cause.condition, 200),
    requestId: clean(textOf(rc?.requestId), 100),
    functionName: clean(textOf(rc?.functionArn)?.split('/').at(-1) ?? null, 100),
    attempts: typeof count === 'number' && Number.isFinite(count) && count >= 1 ? Math.min(Math.floor(count), 1000) : 1,
    atMs: timeOf(e?.timestamp, nowMs),
    triggeredAtMs: triggeredOf(e?.requestPayload),
    recognised: cause.recognised,
    raw: bound(text, MAX_RAW),
  };
}

/** One key per cause: numbers (times, ids, durations) do not make a new cause. */
export function causeKey(f: Pick<Failure, 'kind' | 'text'>): string {
  return createHash('sha1')
    .update(`${f.kind}\n${f.text.replace(/\d+/g, '#')}`)
    .digest('hex')
    .slice(0, 16);
}

/**
 * The monitor as `s` names it: the resource of s.yaml (runnable after the README's `npm ci`, as `npx s`). `s logs`
 * must name it, or it runs for each function in turn (docs/operations.md).
 */
export const MONITOR_LOGS = 'npx s vod-refresh-monitor logs';

/**
 * What on-call should do about a failed run of this kind. `id`: the failed request's id, already made inert; null
 * when the event did not give it (the command then lists the failed runs).
 */
export function failureAdvice(kind: Cause['kind'], id: string | null): string {
  const logs = `\`${MONITOR_LOGS} ${id === null ? '--type fail' : `--request-id ${id}`}\``;
  switch (kind) {
    case 'config':
      return 'fix the variable(s) named above in s.yaml (environmentVariables) or in your shell, then `npx s deploy`';
    case 'timeout':
      return `the run was killed at the function timeout; the monitor stops itself before it, so something hung (the OSS mount, DNS): look at ${logs}, and raise \`timeout\` in s.yaml if runs are merely slow`;
    case 'memory':
      return 'raise `memorySize` in s.yaml (256 -> 512) and `npx s deploy`; Function Compute does not retry this, the next timer tick runs again';
    case 'throttled':
      return `the monitor has one reserved instance (concurrencyConfig): a run that hangs keeps the next ones waiting; look at \`${MONITOR_LOGS} --type fail\`, and at the concurrency quota in Quota Center`;
    case 'platform':
      return `nothing to change here, and Function Compute does not retry it: the next timer tick runs again; if it repeats, open a ticket quoting ${id === null ? 'the failed request id' : `request ${id}`}`;
    case 'unknown':
      return `the event did not say what failed: look at the run in SLS (${logs}) and at the watchdog-event line, which holds the event as received`;
    default:
      return `look at the run in SLS: ${logs}; if it repeats, report it with that log`;
  }
}

/**
 * Whether to tell on-call: once per cause per outage. A cause already told is told again only after the monitor
 * has had a good run since (then it is a new outage). Pure; returns the memory to save.
 */
export function decideAnnouncement(
  memory: Memory,
  failure: Failure,
  lastGoodMs: number | null,
  nowMs: number,
): { announce: boolean; key: string; causes: Record<string, Cause> } {
  const key = causeKey(failure);
  const seen = memory.causes[key];
  const told = seen?.announcedAtMs ?? null;
  const announce = told === null || (lastGoodMs !== null && lastGoodMs > told);
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
  return { announce, key, causes: { ...causes, [key]: cause } };
}
