import { EXIT, type ExitCode, type Printer } from './printer';

/** How a check came out: `fail` is ours to fix (exit 1), `unreachable` a remote service (exit 3), `usage` configuration (exit 2). */
export type Outcome = 'ok' | 'note' | 'warn' | 'fail' | 'unreachable' | 'usage' | 'skip';

const LABEL: Record<Outcome, string> = { ok: 'ok', note: 'note', warn: 'WARN', fail: 'FAIL', unreachable: 'FAIL', usage: 'FAIL', skip: 'skip' };

/** Checks printed as they run, one line each (a failed one says how to fix it), and the exit code they add up to. */
export class Checklist {
  private readonly seen = new Set<Outcome>();

  constructor(private readonly print: Printer) {}

  /** A heading for the checks that follow. */
  section(title: string): void {
    this.print.out(title);
  }

  /** One check's line, and its fix when it failed. */
  add(outcome: Outcome, text: string, fix?: string): void {
    this.seen.add(outcome);
    this.print.out(`  ${LABEL[outcome].padEnd(5)} ${text}`);
    if (fix) this.print.out(`        fix: ${fix}`);
  }

  /** Configuration first (2), then problems to fix (1), then services that could not be reached (3). */
  exitCode(): ExitCode {
    if (this.seen.has('usage')) return EXIT.usage;
    if (this.seen.has('fail')) return EXIT.problem;
    if (this.seen.has('unreachable')) return EXIT.remote;
    return EXIT.ok;
  }

  /** A closing line for people. */
  verdict(): string {
    const code = this.exitCode();
    if (code === EXIT.ok) return this.seen.has('warn') ? 'No check failed; see the warnings above.' : 'All checks passed.';
    if (code === EXIT.usage) return 'The configuration is not usable: fix the lines marked FAIL first.';
    if (code === EXIT.remote) return 'A service could not be reached: see the lines marked FAIL, then try again.';
    return 'Problems found: each FAIL line says how to fix it.';
  }
}
