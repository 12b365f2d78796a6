import FC, * as $fc from '@alicloud/fc20230330';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import { Readable } from 'node:stream';
import type { Credentials } from '../vod/types';

/** What `status` reports about the deployed function. */
export interface FunctionStatus {
  readonly exists: boolean;
  readonly functionName: string;
  readonly runtime?: string | undefined;
  readonly handler?: string | undefined;
  readonly memorySize?: number | undefined;
  readonly timeout?: number | undefined;
  readonly lastModifiedTime?: string | undefined;
  readonly state?: string | undefined;
  readonly timers: Array<{ name: string; cron: string | null; enabled: boolean }>;
}

/** The deployed function, over the Function Compute 3.0 API (2023-03-30). */
export interface FunctionRemote {
  status(functionName: string): Promise<FunctionStatus>;
  /** Invokes synchronously with a timer-shaped event and returns the parsed result. */
  invoke(functionName: string, payload: Record<string, unknown>): Promise<{ ok: boolean; result: unknown }>;
}

export interface FcRemoteOptions {
  readonly credentials: Credentials;
  readonly region: string;
  readonly accountId?: string | undefined;
  /** `host[:port]`; default `<accountId>.<region>.fc.aliyuncs.com`. */
  readonly endpoint?: string | undefined;
  readonly protocol?: 'https' | 'http';
}

async function readAll(stream: Readable | undefined): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function isNotFound(err: unknown): boolean {
  const e = err as { code?: string; statusCode?: number; data?: { Code?: string } };
  return e.code === 'FunctionNotFound' || e.data?.Code === 'FunctionNotFound' || e.statusCode === 404;
}

/** A FunctionRemote over @alicloud/fc20230330. (@alicloud/fc2 speaks the 2016-08-15 API, which addresses functions through services that FC 3.0 functions do not have.) */
export function fcRemote(options: FcRemoteOptions): FunctionRemote {
  const endpoint = options.endpoint ?? (options.accountId ? `${options.accountId}.${options.region}.fc.aliyuncs.com` : undefined);
  if (!endpoint) throw new Error('FC_ACCOUNT_ID: is required to reach Function Compute (or set FC_ENDPOINT)');
  const client = new FC(
    new $OpenApiUtil.Config({
      accessKeyId: options.credentials.accessKeyId,
      accessKeySecret: options.credentials.accessKeySecret,
      ...(options.credentials.securityToken ? { securityToken: options.credentials.securityToken } : {}),
      regionId: options.region,
      endpoint,
      protocol: options.protocol ?? 'https',
    }),
  );
  return {
    async status(functionName) {
      let fn: $fc.GetFunctionResponse;
      try {
        fn = await client.getFunction(functionName, new $fc.GetFunctionRequest({}));
      } catch (err) {
        if (isNotFound(err)) return { exists: false, functionName, timers: [] };
        throw err;
      }
      const triggers = await client.listTriggers(functionName, new $fc.ListTriggersRequest({ limit: 100 }));
      const timers = (triggers.body?.triggers ?? [])
        .filter((t) => t.triggerType === 'timer')
        .map((t) => {
          let cfg: { cronExpression?: string; enable?: boolean } = {};
          try {
            cfg = JSON.parse(t.triggerConfig ?? '{}');
          } catch {
            cfg = {};
          }
          return { name: t.triggerName ?? '?', cron: cfg.cronExpression ?? null, enabled: cfg.enable === true };
        });
      const b = fn.body;
      return { exists: true, functionName, runtime: b?.runtime, handler: b?.handler, memorySize: b?.memorySize, timeout: b?.timeout, lastModifiedTime: b?.lastModifiedTime, state: b?.state, timers };
    },
    async invoke(functionName, payload) {
      const event = JSON.stringify({ triggerTime: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), triggerName: 'cli-invoke', payload: JSON.stringify(payload) });
      // InvokeFunction is synchronous unless x-fc-invocation-type says Async.
      const res = await client.invokeFunction(functionName, new $fc.InvokeFunctionRequest({ body: Readable.from([Buffer.from(event)]) }));
      const text = await readAll(res.body);
      let result: unknown = text;
      try {
        result = JSON.parse(text);
      } catch {
        result = text;
      }
      return { ok: !res.headers?.['x-fc-error-type'], result };
    },
  };
}
