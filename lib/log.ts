import pino, { type DestinationStream, type Logger } from 'pino';

export interface LoggerOptions {
  readonly level?: string;
  /** Where JSON lines go; stdout (the SLS logstore on Function Compute) by default. */
  readonly destination?: DestinationStream;
  /** Applied to every serialized line before it is written: the last guard against a leaked secret. */
  readonly redact?: (line: string) => string;
  readonly base?: Record<string, unknown>;
}

type Fields = Record<string, unknown>;

const MAX_CAUSES = 4;
/** Own fields kept beside name, message, code and stack: plain values only (a response object may be huge). */
const plain = (x: unknown) =>
  typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean' || (Array.isArray(x) && x.length <= 20 && x.every((i) => typeof i === 'string'));

function ownFields(o: object): Fields {
  const out: Fields = {};
  for (const [k, x] of Object.entries(o)) if (k !== 'cause' && plain(x)) out[k] = typeof x === 'string' ? x.slice(0, 2000) : x;
  return out;
}

function textOf(o: object): string {
  try {
    return JSON.stringify(o)?.slice(0, 500) ?? Object.prototype.toString.call(o);
  } catch {
    return Object.prototype.toString.call(o);
  }
}

/**
 * An error as a log field: name, message, code (a string or number), stack, its other plain fields (errno, syscall,
 * requestId, problems…) and its chain of causes; each line then goes through the redactor. An object that is not an
 * Error (one serialized already, or thrown as it is) keeps its fields: never "[object Object]".
 */
export function serializeError(err: unknown, depth = 0): Fields {
  if (err === null || typeof err !== 'object') return { message: String(err) };
  const e = err as Error & { code?: unknown; cause?: unknown };
  const isError = err instanceof Error;
  return {
    ...ownFields(e),
    ...(isError ? { name: e.name } : {}),
    message: typeof e.message === 'string' ? e.message : textOf(e),
    ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: e.code } : {}),
    ...(typeof e.stack === 'string' ? { stack: e.stack } : {}),
    ...(e.cause !== undefined && depth < MAX_CAUSES ? { cause: serializeError(e.cause, depth + 1) } : {}),
  };
}

/** The one root logger of a run; everything below it uses `child()`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const redact = options.redact;
  return pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? { app: 'vod-refresh-monitor' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: serializeError },
      redact: {
        paths: [
          'accessKeySecret',
          '*.accessKeySecret',
          'securityToken',
          '*.securityToken',
          'secret',
          '*.secret',
          'webhook',
          '*.webhook',
          'credentials',
          '*.credentials',
        ],
        censor: '***',
      },
      ...(redact ? { hooks: { streamWrite: (s: string) => redact(s) } } : {}),
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
