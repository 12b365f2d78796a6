/** Facts about a failed VOD API call, safe to log: never a URL, signature, key or token. */
export interface VodErrorFields {
  code: string;
  message: string;
  requestId?: string | undefined;
  httpStatus?: number | undefined;
  retryable: boolean;
  recommend?: string | undefined;
}

/** A failed VOD API call, classified where the I/O happened. */
export class VodError extends Error {
  readonly code: string;
  readonly requestId: string | undefined;
  readonly httpStatus: number | undefined;
  readonly retryable: boolean;
  readonly recommend: string | undefined;

  constructor(fields: VodErrorFields, options?: { cause?: unknown }) {
    super(fields.message, options);
    this.name = 'VodError';
    this.code = fields.code;
    this.requestId = fields.requestId;
    this.httpStatus = fields.httpStatus;
    this.retryable = fields.retryable;
    this.recommend = fields.recommend;
  }

  /** A plain object for logs and reports. */
  toJSON(): VodErrorFields {
    return {
      code: this.code,
      message: this.message,
      requestId: this.requestId,
      httpStatus: this.httpStatus,
      retryable: this.retryable,
    };
  }
}

/** A query rejected before it was sent. */
export class VodParamError extends VodError {
  constructor(code: string, message: string) {
    super({ code, message, retryable: false });
    this.name = 'VodParamError';
  }
}

/** No request may start: the run's read deadline is too close. Not a failure of the API: the run goes on. */
export class DeadlineError extends VodError {
  constructor() {
    super({ code: 'DeadlineReached', message: 'the run reached its read deadline; the rest is read by the next run', retryable: false });
    this.name = 'DeadlineError';
  }
}

const RETRYABLE_CODES = new Set([
  'Throttling',
  'Throttling.User',
  'Throttling.Api',
  'ServiceUnAvailable',
  'ServiceUnavailable',
  'InternalError',
  'SignatureNonceUsed',
  'RequestTimeout',
  'MalformedResponse',
]);

const PERMANENT = [
  /^OperationDenied(\..*)?$/,
  /^InvalidAccessKeyId(\..*)?$/,
  /^InvalidSecurityToken(\..*)?$/,
  /^SignatureDoesNotMatch$/,
  /^InvalidTaskId\.Malformed$/,
  /^MissingParameter.*$/,
  /^InvalidParameter.*$/,
  /^Invalid.*Time.*$/,
  /^Forbidden.*$/,
];

const SOCKET_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND']);

/** Whether a VOD error code is worth another attempt. Unknown codes: only when the server said 5xx. */
export function isRetryableCode(code: string, httpStatus?: number): boolean {
  if (RETRYABLE_CODES.has(code)) return true;
  if (PERMANENT.some((re) => re.test(code))) return false;
  return httpStatus !== undefined && httpStatus >= 500;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function clip(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * The API's message, when it is safe to keep. The gateway's SignatureDoesNotMatch message quotes its whole
 * string-to-sign, AccessKeyId and (twice percent-encoded) SecurityToken included: never keep it, nor any message
 * that quotes request parameters.
 */
export function safeApiMessage(code: string, message: string | undefined): string {
  if (/^(SignatureDoesNotMatch|IncompleteSignature|InvalidSignature)/.test(code))
    return 'the request signature does not match: the AccessKey secret is not the one of this AccessKey ID';
  if (!message) return code;
  if (/string to sign|AccessKeyId|SecurityToken|Signature(Nonce)?=|%26|%3D/i.test(message))
    return `${code} (the API's message was not kept: it quoted the signed request)`;
  return clip(message);
}

/**
 * Turns whatever pop-core, httpx or the socket threw into a VodError. pop-core's and httpx's messages carry the
 * full signed URL or path, so the message is rebuilt from the parsed body or the error's code, never copied.
 */
export function classifyVodError(err: unknown, timeoutMs?: number): VodError {
  if (err instanceof VodError) return err;
  const e = (err ?? {}) as Record<string, unknown>;
  const data = (e.data ?? null) as Record<string, unknown> | null;
  const entry = e.entry as { response?: { statusCode?: number } } | undefined;
  const httpStatus = typeof entry?.response?.statusCode === 'number' ? entry.response.statusCode : undefined;
  if (data && str(data.Code)) {
    const code = str(data.Code)!;
    return new VodError({
      code,
      message: safeApiMessage(code, str(data.Message)),
      requestId: str(data.RequestId),
      httpStatus,
      retryable: isRetryableCode(code, httpStatus),
      recommend: str(data.Recommend),
    });
  }
  const name = str(e.name) ?? '';
  const sysCode = str(e.code);
  if (name.includes('RequestTimeout')) {
    return new VodError({ code: 'RequestTimeout', message: `no answer within ${timeoutMs ?? '?'} ms`, retryable: true });
  }
  if (sysCode && SOCKET_CODES.has(sysCode)) {
    return new VodError({ code: sysCode, message: `connection failed (${sysCode})`, retryable: true }, { cause: { code: sysCode } });
  }
  if (/socket hang up/i.test(String(e.message ?? ''))) {
    return new VodError({ code: 'ECONNRESET', message: 'connection failed (socket hang up)', retryable: true });
  }
  if (name === 'SyntaxError') {
    return new VodError({ code: 'MalformedResponse', message: 'the API answered with a body that is not JSON (an HTML error page?)', retryable: true });
  }
  return new VodError({ code: 'UnknownError', message: `unexpected ${name || typeof err} from the VOD client`, retryable: false });
}

/** Failures after which a call may still have been made: no answer, or an answer that is not the API's. */
const MAYBE_ARRIVED = new Set(['RequestTimeout', 'MalformedResponse', 'HttpError', 'UnknownError', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);

/** Whether a refresh or preload call that failed with `code` may still have been made (its answer was lost). */
export function callMayHaveArrived(code: string): boolean {
  return MAYBE_ARRIVED.has(code);
}

/** Refusals of a refresh or preload call that pass (throttling, quota, a busy queue): the same call may succeed later. */
const PASSING =
  /^(Throttling|QuotaExceeded|QuotaPerMinuteExceeded|PreloadQueueFull|ServiceBusy|ServiceUnavailable|ServiceUnAvailable|InternalError|DeadlineReached)/;

/** Whether a refusal of a refresh or preload call passes (the URLs wait and are tried again). */
export function refusalPasses(code: string): boolean {
  return PASSING.test(code);
}
