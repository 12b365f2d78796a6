import { safeApiMessage } from '../vod/errors';

/** A failed Function Compute API call, classified where it happened; its message holds no URL, key or token. */
export class FcError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The API answered (it refused); false when it could not be reached at all. */
    readonly answered: boolean,
    readonly httpStatus?: number,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'FcError';
  }
}

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNABORTED', 'EPIPE']);

/** What the Tea SDK (@alicloud/openapi-core) or the socket threw, as an FcError. The SDK's own message is never kept. */
export function classifyFcError(err: unknown): FcError {
  if (err instanceof FcError) return err;
  const e = (err ?? {}) as {
    code?: unknown;
    statusCode?: unknown;
    data?: { Code?: unknown; Message?: unknown; RequestId?: unknown };
    name?: unknown;
    message?: unknown;
  };
  if (typeof e.statusCode === 'number') {
    const code = typeof e.data?.Code === 'string' ? e.data.Code : typeof e.code === 'string' ? e.code : `HTTP${e.statusCode}`;
    const message = safeApiMessage(code, typeof e.data?.Message === 'string' ? e.data.Message : undefined);
    return new FcError(code, message, true, e.statusCode, typeof e.data?.RequestId === 'string' ? e.data.RequestId : undefined);
  }
  const sys = typeof e.code === 'string' ? e.code : '';
  if (SOCKET_CODES.has(sys)) return new FcError(sys, `connection failed (${sys})`, false);
  if (/timeout/i.test(`${String(e.name)} ${sys}`)) return new FcError('RequestTimeout', 'no answer in time', false);
  if (/socket hang up/i.test(String(e.message ?? ''))) return new FcError('ECONNRESET', 'connection failed (socket hang up)', false);
  return new FcError('UnknownError', `unexpected ${typeof e.name === 'string' ? e.name : typeof err} from the Function Compute client`, false);
}

/** What to do about a Function Compute error, in plain words; variables named in ASCII. */
export function fcAdvice(code: string): string {
  if (code.startsWith('InvalidAccessKeyId')) return 'the AccessKey ID is unknown or disabled: check ALIBABA_CLOUD_ACCESS_KEY_ID';
  if (code === 'SignatureDoesNotMatch') return 'the AccessKey secret does not match its ID: check ALIBABA_CLOUD_ACCESS_KEY_SECRET';
  if (code.startsWith('InvalidSecurityToken') || code === 'SecurityTokenExpired')
    return 'STS keys need their current token: renew them and set ALIBABA_CLOUD_SECURITY_TOKEN';
  if (code === 'RequestTimeTooSkewed') return "this machine's clock is more than 15 minutes off: sync it (NTP)";
  if (/^(Forbidden|AccessDenied|NoPermission)/.test(code))
    return 'the RAM user may not read the function: grant fc:GetFunction, fc:ListTriggers, fc:GetFunctionAsyncInvokeConfig and fc:InvokeFunction on it';
  if (code.startsWith('Throttling') || code === 'TooManyRequests') return 'Function Compute throttled the call: try again in a minute';
  if (SOCKET_CODES.has(code) || code === 'RequestTimeout')
    return 'the Function Compute endpoint cannot be reached: check FC_ACCOUNT_ID and FC_REGION (or FC_ENDPOINT) and the network';
  return 'see the Function Compute error code in its documentation; check FC_ACCOUNT_ID, FC_REGION and the credentials';
}
