import { ConfigError } from '../config';
import { FcError, fcAdvice } from '../fc/errors';
import { makeRedactor } from '../redact';
import { StateError } from '../state/errors';
import { vodAdvice } from '../vod/advice';
import { DeadlineError, VodError, VodParamError } from '../vod/errors';
import { tableLines } from './format';

/** Exit codes, as documented in the README: the same for every command; `timeout` only for the commands that wait. */
export const EXIT = { ok: 0, problem: 1, usage: 2, remote: 3, timeout: 4 } as const;
/** One of the documented exit codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Ends a command with an exit code and a message for the person at the keyboard. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

/** Where output goes: one line per call, without its newline. */
export interface Writers {
  stdout(line: string): void;
  stderr(line: string): void;
}

/** Every line the CLI prints, through the redactor: stdout for results, stderr for progress, notes and errors. */
export class Printer {
  private secrets: string[];
  private redact: (text: string) => string;

  constructor(
    private readonly writers: Writers,
    secrets: Iterable<string | undefined | null>,
  ) {
    this.secrets = [...secrets].filter((s): s is string => typeof s === 'string');
    this.redact = makeRedactor(this.secrets);
  }

  /** Adds secrets learnt later (a deployed function's webhook, say) to what is masked. */
  addSecrets(more: Iterable<string | undefined | null>): void {
    this.secrets = [...this.secrets, ...[...more].filter((s): s is string => typeof s === 'string')];
    this.redact = makeRedactor(this.secrets);
  }

  /** The redactor as it stands, for the logger. */
  redactor(): (text: string) => string {
    return (text) => this.redact(text);
  }

  /** Result lines, to stdout. */
  out(text = ''): void {
    for (const line of text.split('\n')) this.writers.stdout(this.redact(line));
  }

  /** Progress, notes, errors and log lines, to stderr. */
  err(text: string): void {
    for (const line of text.split('\n')) this.writers.stderr(this.redact(line));
  }

  /** A value as indented JSON, to stdout. */
  json(value: unknown): void {
    this.out(JSON.stringify(value, null, 2));
  }

  /** A plain text table, to stdout. */
  table(headers: readonly string[], rows: readonly (readonly string[])[], indent = ''): void {
    for (const line of tableLines(headers, rows)) this.out(`${indent}${line}`);
  }

  /** Unredacted, for one use only: `local` prints the simulators' own throwaway keys, which is its purpose. */
  raw(text: string): void {
    this.writers.stdout(text);
  }
}

/** The one place an error becomes an exit code and a message: configuration 2, remote services 3, the rest 1. */
export function explain(err: unknown): { code: ExitCode; message: string } {
  if (err instanceof CliError) return { code: err.exitCode, message: err.message };
  if (err instanceof ConfigError) return { code: EXIT.usage, message: err.message };
  if (err instanceof VodParamError) return { code: EXIT.usage, message: `the query was refused before it was sent: ${err.code}: ${err.message}` };
  if (err instanceof DeadlineError)
    return {
      code: EXIT.problem,
      message: 'stopped: the time allowed ran out before every page was read; narrow the window (--since/--until) or filter with --type',
    };
  if (err instanceof VodError) {
    return {
      code: EXIT.remote,
      message: `the VOD API refused or could not be reached: ${err.code}: ${err.message}${err.requestId ? ` (RequestId ${err.requestId})` : ''}\nfix: ${vodAdvice(err.code)}`,
    };
  }
  if (err instanceof FcError) {
    const what = err.answered
      ? `the Function Compute API refused the call: ${err.code}: ${err.message}${err.requestId ? ` (RequestId ${err.requestId})` : ''}`
      : `the Function Compute API could not be reached: ${err.message}`;
    return { code: EXIT.remote, message: `${what}\nfix: ${fcAdvice(err.code)}` };
  }
  if (err instanceof StateError) return { code: EXIT.problem, message: `state: ${err.code}: ${err.message}` };
  const e = err as { name?: unknown; message?: unknown };
  return {
    code: EXIT.problem,
    message: `unexpected error: ${typeof e?.name === 'string' ? e.name : 'Error'}: ${typeof e?.message === 'string' ? e.message : String(err)}`,
  };
}
