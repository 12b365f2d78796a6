import pino, { type DestinationStream, type Logger } from 'pino';

export interface LoggerOptions {
  readonly level?: string;
  /** Where JSON lines go; stdout (the SLS logstore on Function Compute) by default. */
  readonly destination?: DestinationStream;
  /** Applied to every serialized line before it is written: the last guard against a leaked secret. */
  readonly redact?: (line: string) => string;
  readonly base?: Record<string, unknown>;
}

/** An error as a log field: name, message, code, stack and its chain of causes (each line then goes through the redactor). */
export function serializeError(err: unknown, depth = 0): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & { code?: unknown };
  return {
    name: e.name,
    message: e.message,
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    stack: e.stack,
    ...(e.cause !== undefined && depth < 4 ? { cause: e.cause instanceof Error ? serializeError(e.cause, depth + 1) : e.cause } : {}),
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
