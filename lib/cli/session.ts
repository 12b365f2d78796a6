import { Writable } from 'node:stream';
import { type Config, loadConfig, loadVodConfig } from '../config';
import { credentialsFrom } from '../credentials';
import { createLogger } from '../log';
import type { RunReport } from '../monitor/types';
import { type Logger, type Runtime, realSleep, type Sleep } from '../ports';
import { envSecrets } from '../redact';
import type { RetryPolicy } from '../retry';
import { PopCoreVodApi } from '../vod/client';
import { createReader } from '../vod/factory';
import type { Credentials } from '../vod/types';
import { Printer, type Writers } from './printer';

type Env = Record<string, string | undefined>;

/** A handler as the CLI runs it: the monitor's own, with the CLI's environment. */
export type HandlerFactory = (options: {
  env: Env;
  now: () => number;
  logDestination: { write(line: string): unknown };
}) => (event: unknown, context: unknown) => Promise<unknown>;

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIo extends Writers {
  readonly env: Env;
  readonly now: () => number;
  /** The monitor handler for `run` (the bundled one by default). */
  readonly handlerFactory?: HandlerFactory;
  /** The folder whose `.env` the CLI reads as `s` does, and `setup` writes; none in tests that give their whole environment. */
  readonly cwd?: string;
  /** Resolves when `local` should stop (SIGINT or SIGTERM by default). */
  readonly stopSignal?: () => Promise<void>;
  /** How commands that wait (`wait`, the pacer, retries) sleep; real time by default, a virtual clock's in tests. */
  readonly sleep?: Sleep;
  /** stderr when it is a terminal: `wait` keeps one progress line there. Absent in a pipe. */
  readonly terminal?: Terminal;
  /** Keys typed at `local`'s terminal, one call per key; returns a function that stops listening. None in a pipe. */
  readonly keys?: (onKey: (key: string) => void) => () => void;
}

/** A terminal on stderr: raw text (no newline added) and its width. */
export interface Terminal {
  write(text: string): void;
  readonly columns: number;
}

/** Options every command takes. */
export interface CommonOptions {
  readonly verbose?: boolean;
}

/** Retries for a person waiting: a few quick ones (at most about 1.5 s of backoff), not a run's patient schedule. */
const CLI_RETRY: RetryPolicy = { baseMs: 200, capMs: 1000, maxAttempts: 4 };

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** One command's view of the world: its printer, logger, clock and the configuration it loads. */
export interface Session {
  readonly io: CliIo;
  readonly env: Env;
  readonly print: Printer;
  readonly logger: Logger;
  /** The log level: --verbose is debug; else LOG_LEVEL when set; else silent. */
  readonly level: string;
  now(): number;
  /** Validated configuration; a ConfigError (exit 2) when it cannot be used. */
  config(): Config;
  /** Only the VOD_* settings (no alert channel needed); a ConfigError (exit 2) when they cannot be used. */
  vodConfig(): Config['vod'];
  /** The AccessKey from the environment; a ConfigError (exit 2) when there is none. */
  credentials(): Credentials;
  /** The VOD API with this session's credentials. */
  vodApi(config: Pick<Config, 'vod'>): PopCoreVodApi;
  /** A reader of DescribeVodRefreshTasks that must be done within `budgetMs`. */
  reader(config: Config, api: PopCoreVodApi, budgetMs: number): ReturnType<typeof createReader>['reader'];
  runtime(): Runtime;
}

/** A pino destination writing each JSON line to stderr, through the printer (redacted). */
function stderrDestination(print: Printer) {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) print.err(line);
      cb();
    },
  });
}

/** Opens a session for one command. */
export function openSession(io: CliIo, options: CommonOptions = {}): Session {
  const env = io.env;
  const print = new Printer(io, envSecrets(env));
  const fromEnv = (env.LOG_LEVEL ?? '').trim();
  const level = options.verbose ? 'debug' : LEVELS.has(fromEnv) ? fromEnv : 'silent';
  const logger = createLogger({ level, destination: stderrDestination(print), redact: print.redactor(), base: { app: 'vod-refresh-monitor-cli' } });
  const runtime = (): Runtime => ({ logger, now: io.now, sleep: io.sleep ?? realSleep, random: Math.random });
  return {
    io,
    env,
    print,
    logger,
    level,
    now: io.now,
    config: () => loadConfig(env),
    vodConfig: () => loadVodConfig(env),
    credentials: () => credentialsFrom(undefined, env),
    vodApi: (config) =>
      new PopCoreVodApi({
        endpoint: config.vod.endpoint,
        credentials: credentialsFrom(undefined, env),
        timeoutMs: config.vod.requestTimeoutMs,
        method: config.vod.method,
      }),
    reader: (config, api, budgetMs) => createReader(api, config.vod, runtime(), io.now() + budgetMs, 0, CLI_RETRY).reader,
    runtime,
  };
}

/** A report as the handler returns it, recognised by its shape. */
export function isRunReport(value: unknown): value is RunReport {
  const v = value as Partial<RunReport> | null;
  return typeof v === 'object' && v !== null && typeof v.status === 'string' && typeof v.read === 'object' && typeof v.alerts === 'object';
}
