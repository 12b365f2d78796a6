import { safeApiMessage } from '../vod/errors';

/** The cloud services `setup` calls. */
export type Service = 'RAM' | 'STS' | 'OSS';

/** A refused or failed call of `setup`, safe to print: never a URL, signature, key or token. */
export class CloudError extends Error {
  constructor(
    readonly service: Service,
    readonly action: string,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'CloudError';
  }

  /** The service was never reached (a socket error or a timeout): it refused nothing. */
  get unreached(): boolean {
    return this.code === 'RequestTimeout' || SOCKET.has(this.code);
  }

  /** The caller lacks the permission for this action (RAM NoPermission, OSS AccessDenied). */
  get denied(): boolean {
    return /^(NoPermission|Forbidden|AccessDenied)/.test(this.code);
  }
}

const SOCKET = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND']);

/**
 * What pop-core (or fetch) threw, as a CloudError. pop-core's message ends with the full signed URL, so the message
 * is rebuilt from the parsed body or the socket code, never copied.
 */
export function classifyCloudError(service: Service, action: string, err: unknown, timeoutMs: number): CloudError {
  if (err instanceof CloudError) return err;
  const e = (err ?? {}) as Record<string, unknown>;
  const data = (e.data ?? null) as Record<string, unknown> | null;
  const text = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const code = text(data?.Code);
  if (code) return new CloudError(service, action, code, safeApiMessage(code, text(data?.Message)), text(data?.RequestId));
  const name = text(e.name) ?? '';
  const sys = text(e.code) ?? text((e.cause as Record<string, unknown> | undefined)?.code);
  if (name.includes('RequestTimeout') || name === 'TimeoutError') return new CloudError(service, action, 'RequestTimeout', `no answer within ${timeoutMs} ms`);
  if (sys && SOCKET.has(sys)) return new CloudError(service, action, sys, `connection failed (${sys})`);
  if (name === 'SyntaxError') return new CloudError(service, action, 'MalformedResponse', 'the answer is not JSON (an HTML error page?)');
  return new CloudError(service, action, 'UnknownError', `unexpected ${name || typeof err} from the ${service} client`);
}
