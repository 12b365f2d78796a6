// An Alibaba Cloud RPC gateway for the simulators of the APIs `setup` calls (RAM, STS): it checks what the real
// gateway checks (common parameters, Timestamp, key, signature V1, STS token, nonce, Version) and answers errors in the
// gateway's JSON shape. Independent of lib/ on purpose: it is the other side that checks our client.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLoopback, readBody, sendJson } from '../http';
import { signRpc, stringToSign } from '../vod/signature';
import { decodeForm, FormError } from './encoding';
import { safeEqual } from './safe-equal';

/** A key the simulated account knows, whose it is, and which actions its policies allow (`ram:*`, `*`, ...). */
export interface SimIdentity {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
  readonly accountId: string;
  readonly userName: string;
  /** Action patterns the caller's policies allow; `*` matches any run of characters. Default: everything. */
  readonly allow?: readonly string[];
}

/** An error answer: its code, HTTP status and message. */
export class RpcError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const COMMON = ['AccessKeyId', 'Timestamp', 'SignatureNonce', 'Signature', 'SignatureMethod', 'SignatureVersion', 'Version', 'Action'];
const SKEW_MS = 15 * 60_000;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** `MissingParameter` for a required parameter. */
export const missing = (name: string) =>
  new RpcError('MissingParameter', 400, `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);

/** Whether an action pattern of a policy (`ram:*`) matches `action`. */
export function matches(pattern: string, action: string): boolean {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  ).test(action);
}

/** Checks requests of one API version signed with one of `identities`. */
export class RpcGateway {
  private readonly nonces = new Map<string, number>();

  constructor(
    private readonly identities: readonly SimIdentity[],
    private readonly version: string,
  ) {}

  /** The caller of a well-formed, well-signed request of this version; an RpcError otherwise. */
  authenticate(method: string, params: Record<string, string>): SimIdentity {
    for (const name of COMMON) if (params[name] === undefined) throw missing(name);
    if (params.SignatureMethod !== 'HMAC-SHA1' || params.SignatureVersion !== '1.0')
      throw new RpcError('InvalidParameter', 400, 'The specified SignatureMethod or SignatureVersion is not supported.');
    const ts = TIME.test(params.Timestamp!) ? Date.parse(params.Timestamp!) : NaN;
    if (Number.isNaN(ts)) throw new RpcError('InvalidTimeStamp.Format', 400, 'Specified time stamp or date value is not well formatted.');
    if (Math.abs(Date.now() - ts) > SKEW_MS) throw new RpcError('InvalidTimeStamp.Expired', 400, 'Specified time stamp or date value is expired.');
    const who = this.identities.find((i) => i.accessKeyId === params.AccessKeyId);
    if (!who) throw new RpcError('InvalidAccessKeyId.NotFound', 404, 'Specified access key is not found.');
    if (!safeEqual(signRpc(method, params, who.accessKeySecret), params.Signature!))
      throw new RpcError(
        'SignatureDoesNotMatch',
        400,
        `Specified signature is not matched with our calculation. server string to sign is:${stringToSign(method, params)}`,
      );
    if (who.securityToken !== undefined && (params.SecurityToken === undefined || !safeEqual(who.securityToken, params.SecurityToken)))
      throw new RpcError('InvalidSecurityToken.MismatchWithAccessKey', 400, 'Specified SecurityToken mismatch with the AccessKey.');
    const seen = this.nonces.get(params.SignatureNonce!);
    if (seen !== undefined && Date.now() - seen < SKEW_MS * 2) throw new RpcError('SignatureNonceUsed', 400, 'Specified signature nonce was used already.');
    this.nonces.set(params.SignatureNonce!, Date.now());
    if (params.Version !== this.version) throw new RpcError('InvalidVersion', 400, 'Specified parameter Version is not valid.');
    return who;
  }
}

/** Whether `who` may call `action` (`ram:CreateRole`), by the patterns its policies allow. */
export function allowed(who: SimIdentity, action: string): boolean {
  return (who.allow ?? ['*']).some((p) => matches(p, action));
}

/** The request's parameters: the query string, plus a form body for POST. */
export async function readRpcParams(req: IncomingMessage): Promise<{ method: string; params: Record<string, string> }> {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname !== '/') throw new RpcError('InvalidAction.NotFound', 404, 'Specified api is not found, please check your url and method.');
  try {
    if (method === 'GET') return { method, params: decodeForm(url.search.slice(1)) };
    if (method !== 'POST') throw new RpcError('UnsupportedHTTPMethod', 405, 'The HTTP method is not supported.');
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
      throw new RpcError('InvalidParameter', 400, 'POST bodies must be form-encoded.');
    return { method, params: { ...decodeForm(url.search.slice(1)), ...decodeForm((await readBody(req)).toString('utf8')) } };
  } catch (err) {
    if (err instanceof FormError) throw new RpcError('InvalidParameter', 400, err.message);
    throw err;
  }
}

/** Answers an RpcError as the gateway does. */
export function sendRpcError(res: ServerResponse, err: RpcError, host: string): void {
  sendJson(res, err.status, {
    RequestId: randomUUID().toUpperCase(),
    HostId: host,
    Code: err.code,
    Message: err.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${err.code}`,
  });
}

/** A request id in the API's style. */
export const requestId = (): string => randomUUID().toUpperCase();

/** One call a simulator answered (or refused after authentication): the action as a policy names it, and its caller. */
export interface RpcCall {
  readonly action: string;
  readonly caller: string;
  readonly code: string;
  readonly params: Record<string, string>;
}

/** A running RPC simulator: its URL, and every call it saw past the gateway. */
export interface RpcSim {
  readonly url: string;
  readonly calls: RpcCall[];
  close(): Promise<void>;
}

/** How one RPC API behaves behind the gateway. */
export interface RpcApiSpec {
  /** The policy prefix of its actions (`ram`, `sts`). */
  readonly service: string;
  readonly host: string;
  readonly version: string;
  /** Actions any caller may make (STS GetCallerIdentity). */
  readonly free?: readonly string[];
  /** Answers an action, or throws an RpcError; InvalidAction.NotFound for an action it does not know. */
  handle(action: string, params: Record<string, string>, who: SimIdentity): Record<string, unknown>;
}

/** Starts an RPC API on 127.0.0.1: the gateway's checks, then the caller's permission, then the action. */
export async function startRpcSim(spec: RpcApiSpec, identities: readonly SimIdentity[]): Promise<RpcSim> {
  const gateway = new RpcGateway(identities, spec.version);
  const calls: RpcCall[] = [];
  const { loopback } = await listenLoopback((req, res) => {
    (async () => {
      const { method, params } = await readRpcParams(req);
      const who = gateway.authenticate(method, params);
      const action = `${spec.service}:${params.Action}`;
      const logged = { ...params };
      for (const k of ['Signature', 'SecurityToken', 'AccessKeyId', 'SignatureNonce', 'Timestamp']) delete logged[k];
      try {
        if (!spec.free?.includes(params.Action!) && !allowed(who, action))
          throw new RpcError('NoPermission', 403, 'You are not authorized to do this action. You should be authorized by RAM.');
        const body = spec.handle(params.Action!, params, who);
        calls.push({ action, caller: who.userName, code: 'OK', params: logged });
        sendJson(res, 200, { RequestId: requestId(), ...body });
      } catch (err) {
        if (err instanceof RpcError) calls.push({ action, caller: who.userName, code: err.code, params: logged });
        throw err;
      }
    })().catch((err) => {
      if (err instanceof RpcError) sendRpcError(res, err, spec.host);
      else sendJson(res, 500, { RequestId: requestId(), Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.' });
    });
  });
  return { url: loopback.url, calls, close: () => loopback.close() };
}
