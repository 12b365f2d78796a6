import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LoopbackServer, listenLoopback, readBody, sendJson } from '../http';
import { percentEncode } from '../shared/encoding';
import { safeEqual } from '../shared/safe-equal';

/** A function's asynchronous invocation settings, as GetAsyncInvokeConfig answers them. */
export interface SimAsyncConfig {
  destinationConfig?: { onFailure?: { destination: string }; onSuccess?: { destination: string } };
  maxAsyncRetryAttempts?: number;
  maxAsyncEventAgeInSeconds?: number;
}

/** A function the simulated Function Compute 3.0 API holds. */
export interface SimFunction {
  functionName: string;
  runtime: string;
  handler: string;
  memorySize: number;
  timeout: number;
  lastModifiedTime: string;
  triggers: Array<{ triggerName: string; triggerType: string; triggerConfig: string; status?: string }>;
  /** Returned by GetFunction, as the real API does (secrets included: a client must not print them). */
  environmentVariables?: Record<string, string>;
  /** GetAsyncInvokeConfig answers this; without it, 404 (the code the real API uses is unconfirmed). */
  asyncInvokeConfig?: SimAsyncConfig;
  /** Runs the function for InvokeFunction: receives the event body and a context. */
  invoke?: (event: Buffer, context: Record<string, unknown>) => Promise<unknown>;
}

/** One request the simulator saw. */
export interface FcRequest {
  method: string;
  path: string;
  invocationType?: string;
  /** InvokeFunction only: the event, as sent. */
  body?: string;
}

/** A running Function Compute API simulator and the handles tests steer it with. */
export interface FcSim extends LoopbackServer {
  readonly functions: Map<string, SimFunction>;
  /** Requests seen: method, path, the x-fc-invocation-type header and the event of invocations. */
  readonly requests: FcRequest[];
  /** `127.0.0.1:<port>`, as FC_ENDPOINT takes it. */
  readonly endpoint: string;
}

/** The code GetAsyncInvokeConfig answers for a function without one. *Unconfirmed*: clients should accept any 404. */
export const ASYNC_CONFIG_MISSING = 'AsyncConfigNotExists';
const ACCOUNT_ID = '1234567890123456';
const SKEW_MS = 15 * 60_000;

/** Recomputes an ACS3-HMAC-SHA256 Authorization header the way the Alibaba Cloud gateway does. */
export function acs3Signature(
  method: string,
  rawPath: string,
  query: URLSearchParams,
  headers: Record<string, string>,
  payloadHash: string,
  secret: string,
  signedHeaders: string[],
): string {
  const canonicalQuery = [...query.keys()]
    .sort()
    .map((k) => `${k}=${percentEncode(query.get(k) ?? '')}`)
    .join('&');
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${(headers[h] ?? '').trim()}\n`).join('');
  const canonicalRequest = [method, rawPath, canonicalQuery, canonicalHeaders, signedHeaders.join(';'), payloadHash].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

class FcApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

type Account = { accessKeyId: string; accessKeySecret: string };

function lowerHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : (v ?? '');
  return headers;
}

/** The gateway's checks: a well-formed ACS3 header, a known key, a fresh date, the body's hash and the signature. */
function authenticate(accounts: readonly Account[], method: string, raw: string, url: URL, headers: Record<string, string>, body: Buffer): void {
  const auth = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(headers.authorization ?? '');
  if (!auth) throw new FcApiError(401, 'InvalidAuthorization', 'Authorization header is missing or malformed');
  const account = accounts.find((a) => a.accessKeyId === auth[1]);
  if (!account) throw new FcApiError(403, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  const date = Date.parse(headers['x-acs-date'] ?? '');
  if (Number.isNaN(date) || Math.abs(Date.now() - date) > SKEW_MS)
    throw new FcApiError(403, 'RequestTimeTooSkewed', 'x-acs-date is missing or too far from the server time');
  const payloadHash = createHash('sha256').update(body).digest('hex');
  if (headers['x-acs-content-sha256'] !== payloadHash) throw new FcApiError(400, 'InvalidContentSha256', 'x-acs-content-sha256 does not match the body');
  const signed = auth[2]!.split(';');
  if (!signed.includes('host') || !signed.includes('x-acs-date')) throw new FcApiError(403, 'SignatureDoesNotMatch', 'host and x-acs-date must be signed');
  const expected = acs3Signature(method, raw.split('?')[0]!, url.searchParams, headers, payloadHash, account.accessKeySecret, signed);
  if (!safeEqual(expected, auth[3]!)) throw new FcApiError(403, 'SignatureDoesNotMatch', 'The request signature does not conform to Aliyun standards.');
}

function getFunction(res: ServerResponse, fn: SimFunction): void {
  const { triggers: _t, invoke: _i, asyncInvokeConfig: _a, ...info } = fn;
  sendJson(res, 200, { ...info, functionArn: `acs:fc:cn-shanghai:${ACCOUNT_ID}:functions/${fn.functionName}`, state: 'Active' });
}

function getAsyncConfig(res: ServerResponse, fn: SimFunction): void {
  if (!fn.asyncInvokeConfig) throw new FcApiError(404, ASYNC_CONFIG_MISSING, `async invoke config of function '${fn.functionName}' does not exist`);
  sendJson(res, 200, {
    ...fn.asyncInvokeConfig,
    functionArn: `acs:fc:cn-shanghai:${ACCOUNT_ID}:functions/${fn.functionName}`,
    createdTime: fn.lastModifiedTime,
    lastModifiedTime: fn.lastModifiedTime,
  });
}

/** A synchronous invocation: 200 with the result, or 200 with x-fc-error-type when the function threw (as Function Compute does). */
async function invoke(res: ServerResponse, fn: SimFunction, body: Buffer, account: Account | undefined): Promise<void> {
  if (!fn.invoke) throw new FcApiError(400, 'InvokeNotSupported', 'this simulated function cannot run');
  try {
    const context = {
      requestId: randomUUID(),
      credentials: account,
      function: { name: fn.functionName, timeout: fn.timeout, memory: fn.memorySize, handler: fn.handler },
      region: 'cn-shanghai',
      accountId: ACCOUNT_ID,
    };
    const result = await fn.invoke(body, context);
    const text = typeof result === 'string' ? result : JSON.stringify(result);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-fc-request-id': randomUUID() });
    res.end(text);
  } catch (err) {
    res.writeHead(200, { 'content-type': 'application/json', 'x-fc-error-type': 'UnhandledInvocationError' });
    res.end(JSON.stringify({ errorMessage: (err as Error).message, errorType: (err as Error).name }));
  }
}

/** Starts a Function Compute 3.0 API (2023-03-30) on loopback: GetFunction, ListTriggers, GetAsyncInvokeConfig, InvokeFunction. */
export async function startFcSim(options: { accounts: Account[]; functions?: SimFunction[]; port?: number }): Promise<FcSim> {
  const functions = new Map((options.functions ?? []).map((f) => [f.functionName, f]));
  const requests: FcRequest[] = [];

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const url = new URL(raw, 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const headers = lowerHeaders(req);
    const m = /^\/2023-03-30\/functions\/([^/]+)(\/triggers|\/invocations|\/async-invoke-config)?$/.exec(url.pathname);
    const invocationType = headers['x-fc-invocation-type'];
    requests.push({
      method,
      path: url.pathname,
      ...(invocationType ? { invocationType } : {}),
      ...(m?.[2] === '/invocations' ? { body: body.toString('utf8') } : {}),
    });
    authenticate(options.accounts, method, raw, url, headers, body);
    if (!m) throw new FcApiError(404, 'PathNotSupported', 'path not supported');
    const name = decodeURIComponent(m[1]!);
    const fn = functions.get(name);
    if (!fn) throw new FcApiError(404, 'FunctionNotFound', `function '${name}' does not exist`);
    if (!m[2] && method === 'GET') return getFunction(res, fn);
    if (m[2] === '/triggers' && method === 'GET') return sendJson(res, 200, { triggers: fn.triggers.map((t) => ({ ...t, createdTime: fn.lastModifiedTime })) });
    if (m[2] === '/async-invoke-config' && method === 'GET') return getAsyncConfig(res, fn);
    if (m[2] === '/invocations' && method === 'POST') return invoke(res, fn, body, options.accounts[0]);
    throw new FcApiError(405, 'MethodNotAllowed', 'method not allowed');
  }

  const { loopback } = await listenLoopback((req, res) => {
    route(req, res).catch((err: unknown) => {
      const e = err instanceof FcApiError ? err : new FcApiError(500, 'InternalError', String(err));
      if (!res.headersSent) sendJson(res, e.status, { Code: e.code, Message: e.message, RequestId: randomUUID() });
    });
  }, options.port);
  return { ...loopback, functions, requests, endpoint: `127.0.0.1:${loopback.port}` };
}
