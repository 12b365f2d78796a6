import { Readable } from 'node:stream';
import FC, * as $fc from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import type { Credentials } from '../vod/types';
import { classifyFcError } from './errors';
import type { FcSettings } from './settings';

/** A deployed function, as GetFunction describes it. */
export interface FunctionInfo {
  readonly name: string;
  readonly state: string | null;
  readonly runtime: string | null;
  readonly handler: string | null;
  readonly memorySize: number | null;
  readonly timeoutSeconds: number | null;
  readonly lastModifiedTime: string | null;
  /** The function's environment: it holds secrets, so it is read for single settings, never printed. */
  readonly environment: Readonly<Record<string, string>>;
}

/** One trigger of a function. */
export interface TriggerInfo {
  readonly name: string;
  readonly type: string;
  /** Timer triggers: whether `enable` is true in the trigger config; null for other types. */
  readonly enabled: boolean | null;
  readonly cron: string | null;
}

/** A function's asynchronous invocation settings (GetAsyncInvokeConfig). */
export interface AsyncInvokeInfo {
  /** The ARN failed invocations are sent to, or null when none is set. */
  readonly onFailure: string | null;
  readonly maxRetries: number | null;
  readonly maxEventAgeSeconds: number | null;
}

/** What a synchronous invocation answered. */
export interface InvokeResult {
  /** The function returned normally (no x-fc-error-type header). */
  readonly ok: boolean;
  readonly errorType: string | null;
  /** The body, parsed as JSON when it is JSON. */
  readonly body: unknown;
}

/** The deployed functions, over the Function Compute 3.0 API (2023-03-30). Errors are FcError. */
export interface FunctionRemote {
  /** The function, or null when it does not exist. */
  getFunction(name: string): Promise<FunctionInfo | null>;
  listTriggers(name: string): Promise<TriggerInfo[]>;
  /** The async invocation settings, or null when the function has none. */
  asyncInvokeConfig(name: string): Promise<AsyncInvokeInfo | null>;
  /** A synchronous invocation with a timer-shaped event carrying `payload` and no triggerTime. */
  invoke(name: string, payload: Record<string, unknown>, timeoutMs: number): Promise<InvokeResult>;
}

const API_TIMEOUT_MS = 10_000;
const MAX_TRIGGER_PAGES = 10;

/** The resource is missing (404, FunctionNotFound, and whatever a missing async config answers); never a key the gateway does not know. */
function notFound(err: unknown): boolean {
  const e = err as { statusCode?: number; code?: string; data?: { Code?: string } };
  const code = e.data?.Code ?? e.code ?? '';
  if (/^(InvalidAccessKeyId|InvalidSecurityToken|SignatureDoesNotMatch)/.test(code)) return false;
  return e.statusCode === 404 || /NotFound|NotExist/.test(code);
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw classifyFcError(err);
  }
}

async function nullWhenMissing<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    if (notFound(err)) return null;
    throw classifyFcError(err);
  }
}

function timerOf(t: $fc.Trigger): TriggerInfo {
  let cfg: { cronExpression?: unknown; enable?: unknown } = {};
  try {
    cfg = JSON.parse(t.triggerConfig ?? '{}') as typeof cfg;
  } catch {
    cfg = {};
  }
  const timer = t.triggerType === 'timer';
  return {
    name: t.triggerName ?? '?',
    type: t.triggerType ?? '?',
    enabled: timer ? cfg.enable === true : null,
    cron: timer && typeof cfg.cronExpression === 'string' ? cfg.cronExpression : null,
  };
}

function infoOf(name: string, b: $fc.Function | undefined): FunctionInfo {
  return {
    name,
    state: b?.state ?? null,
    runtime: b?.runtime ?? null,
    handler: b?.handler ?? null,
    memorySize: b?.memorySize ?? null,
    timeoutSeconds: b?.timeout ?? null,
    lastModifiedTime: b?.lastModifiedTime ?? null,
    environment: { ...(b?.environmentVariables ?? {}) },
  };
}

async function readAll(stream: Readable | undefined): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The SDK client for the settings and credentials. */
function clientOf(settings: FcSettings, credentials: Credentials, readTimeoutMs: number): FC {
  return new FC(
    new $OpenApiUtil.Config({
      accessKeyId: credentials.accessKeyId,
      accessKeySecret: credentials.accessKeySecret,
      ...(credentials.securityToken ? { securityToken: credentials.securityToken } : {}),
      regionId: settings.region,
      endpoint: settings.endpoint,
      protocol: settings.protocol,
      readTimeout: readTimeoutMs,
      connectTimeout: 5000,
    }),
  );
}

/** A FunctionRemote over @alicloud/fc20230330 (@alicloud/fc2 speaks the 2016-08-15 API, whose functions live in services that FC 3.0 functions do not have). */
export function fcRemote(settings: FcSettings, credentials: Credentials): FunctionRemote {
  const client = clientOf(settings, credentials, API_TIMEOUT_MS);
  return {
    getFunction: async (name) => {
      const res = await nullWhenMissing(() => client.getFunction(name, new $fc.GetFunctionRequest({})));
      return res ? infoOf(name, res.body) : null;
    },
    async listTriggers(name) {
      const out: TriggerInfo[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_TRIGGER_PAGES; page++) {
        const res = await call(() => client.listTriggers(name, new $fc.ListTriggersRequest({ limit: 100, ...(nextToken ? { nextToken } : {}) })));
        out.push(...(res.body?.triggers ?? []).map(timerOf));
        nextToken = res.body?.nextToken || undefined;
        if (!nextToken) return out;
      }
      throw classifyFcError({
        statusCode: 200,
        data: { Code: 'TooManyTriggers', Message: `more than ${MAX_TRIGGER_PAGES * 100} triggers; not all were read` },
      });
    },
    asyncInvokeConfig: async (name) => {
      const res = await nullWhenMissing(() => client.getAsyncInvokeConfig(name, new $fc.GetAsyncInvokeConfigRequest({})));
      if (!res) return null;
      const b = res.body;
      return {
        onFailure: b?.destinationConfig?.onFailure?.destination ?? null,
        maxRetries: b?.maxAsyncRetryAttempts ?? null,
        maxEventAgeSeconds: b?.maxAsyncEventAgeInSeconds ?? null,
      };
    },
    async invoke(name, payload, timeoutMs) {
      // No triggerTime: the function must never take this for a duplicated timer event.
      const event = JSON.stringify({ triggerName: 'vod-refresh-monitor-cli', payload: JSON.stringify(payload) });
      const request = new $fc.InvokeFunctionRequest({ body: Readable.from([Buffer.from(event)]) });
      // A synchronous invocation (no x-fc-invocation-type header) answers when the function returns: up to its timeout.
      const res = await call(() => clientOf(settings, credentials, timeoutMs).invokeFunction(name, request));
      const text = await call(() => readAll(res.body));
      const errorType = res.headers?.['x-fc-error-type'] ?? null;
      return { ok: !errorType, errorType, body: parsed(text) };
    },
  };
}
