import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLoopback, readBody, sendJson, type LoopbackServer } from '../http';

/** A function the simulated Function Compute 3.0 API holds. */
export interface SimFunction {
  functionName: string;
  runtime: string;
  handler: string;
  memorySize: number;
  timeout: number;
  lastModifiedTime: string;
  triggers: Array<{ triggerName: string; triggerType: string; triggerConfig: string; status?: string }>;
  /** Runs the function for InvokeFunction: receives the event body and a context. */
  invoke?: (event: Buffer, context: Record<string, unknown>) => Promise<unknown>;
}

export interface FcSim extends LoopbackServer {
  readonly functions: Map<string, SimFunction>;
  /** Requests seen: method, path and the x-fc-invocation-type header. */
  readonly requests: Array<{ method: string; path: string; invocationType?: string }>;
  readonly endpoint: string;
}

function percent(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Recomputes an ACS3-HMAC-SHA256 Authorization header the way the Alibaba Cloud gateway does. */
export function acs3Signature(method: string, rawPath: string, query: URLSearchParams, headers: Record<string, string>, payloadHash: string, secret: string, signedHeaders: string[]): string {
  const canonicalQuery = [...query.keys()].sort().map((k) => `${k}=${percent(query.get(k) ?? '')}`).join('&');
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${(headers[h] ?? '').trim()}\n`).join('');
  const canonicalRequest = [method, rawPath, canonicalQuery, canonicalHeaders, signedHeaders.join(';'), payloadHash].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
  return createHmac('sha256', secret).update(stringToSign).digest('hex');
}

/** Starts a Function Compute 3.0 API (2023-03-30) on loopback: GetFunction, ListTriggers, InvokeFunction. */
export async function startFcSim(options: { accounts: Array<{ accessKeyId: string; accessKeySecret: string }>; functions?: SimFunction[] }): Promise<FcSim> {
  const functions = new Map((options.functions ?? []).map((f) => [f.functionName, f]));
  const requests: FcSim['requests'] = [];
  const fail = (res: ServerResponse, status: number, code: string, message: string) => sendJson(res, status, { Code: code, Message: message, RequestId: randomUUID() });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const raw = req.url ?? '/';
    const url = new URL(raw, 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const invocationType = req.headers['x-fc-invocation-type'] as string | undefined;
    requests.push({ method, path: url.pathname, ...(invocationType ? { invocationType } : {}) });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : (v ?? '');
    const auth = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(headers.authorization ?? '');
    if (!auth) return fail(res, 401, 'InvalidAuthorization', 'Authorization header is missing or malformed');
    const account = options.accounts.find((a) => a.accessKeyId === auth[1]);
    if (!account) return fail(res, 403, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    const date = Date.parse(headers['x-acs-date'] ?? '');
    if (Number.isNaN(date) || Math.abs(Date.now() - date) > 15 * 60_000) return fail(res, 403, 'RequestTimeTooSkewed', 'x-acs-date is missing or too far from the server time');
    const payloadHash = createHash('sha256').update(body).digest('hex');
    if (headers['x-acs-content-sha256'] !== payloadHash) return fail(res, 400, 'InvalidContentSha256', 'x-acs-content-sha256 does not match the body');
    const signed = auth[2]!.split(';');
    if (!signed.includes('host') || !signed.includes('x-acs-date')) return fail(res, 403, 'SignatureDoesNotMatch', 'host and x-acs-date must be signed');
    const rawPath = raw.split('?')[0]!;
    const expected = acs3Signature(method, rawPath, url.searchParams, headers, payloadHash, account.accessKeySecret, signed);
    if (!timingSafeEqual(Buffer.from(expected), Buffer.from(auth[3]!))) return fail(res, 403, 'SignatureDoesNotMatch', 'The request signature does not conform to Aliyun standards.');

    const m = /^\/2023-03-30\/functions\/([^/]+)(\/triggers|\/invocations)?$/.exec(url.pathname);
    if (!m) return fail(res, 404, 'PathNotSupported', 'path not supported');
    const fn = functions.get(decodeURIComponent(m[1]!));
    if (!fn) return fail(res, 404, 'FunctionNotFound', `function '${decodeURIComponent(m[1]!)}' does not exist`);
    if (!m[2] && method === 'GET') {
      const { triggers: _t, invoke: _i, ...info } = fn;
      return sendJson(res, 200, { ...info, functionArn: `acs:fc:cn-shanghai:1234:functions/${fn.functionName}`, state: 'Active' });
    }
    if (m[2] === '/triggers' && method === 'GET') return sendJson(res, 200, { triggers: fn.triggers.map((t) => ({ ...t, createdTime: fn.lastModifiedTime })) });
    if (m[2] === '/invocations' && method === 'POST') {
      if (!fn.invoke) return fail(res, 400, 'InvokeNotSupported', 'this simulated function cannot run');
      try {
        const result = await fn.invoke(body, { requestId: randomUUID(), credentials: options.accounts[0], function: { name: fn.functionName, timeout: fn.timeout, memory: fn.memorySize, handler: fn.handler }, region: 'cn-shanghai' });
        const text = typeof result === 'string' ? result : JSON.stringify(result);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-fc-request-id': randomUUID() });
        return res.end(text);
      } catch (err) {
        res.writeHead(200, { 'content-type': 'application/json', 'x-fc-error-type': 'UnhandledInvocationError' });
        return res.end(JSON.stringify({ errorMessage: (err as Error).message, errorType: (err as Error).name }));
      }
    }
    return fail(res, 405, 'MethodNotAllowed', 'method not allowed');
  }

  const { loopback } = await listenLoopback((req, res) => {
    handle(req, res).catch((err: unknown) => fail(res, 500, 'InternalError', String(err)));
  });
  return { ...loopback, functions, requests, endpoint: `127.0.0.1:${loopback.port}` };
}
