import type { RunReport } from '../monitor/types';
import { markdownToTerminal } from './format';
import { CliError, EXIT, type ExitCode, type Printer } from './printer';
import { summary } from './summary';

/** Prints a run report: JSON, or the summary and, for a dry run, each message that would have been sent. */
export function printReport(print: Printer, report: RunReport, json: boolean): void {
  if (json) {
    print.json(report);
    return;
  }
  print.out(summary(report));
  for (const m of report.preview ?? []) print.out(`\n--- would send: ${m.title} ---\n${markdownToTerminal(m.text)}`);
}

/** A run's exit code: 0 when it went well; 1 when it was degraded, failed, or skipped (another run held the lock). */
export function exitOfReport(report: RunReport): ExitCode {
  return report.status === 'ok' || report.status === 'duplicate' ? EXIT.ok : EXIT.problem;
}

/** Whole seconds from an option, within bounds; refused (exit 2) otherwise. */
export function secondsOption(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < min || n > max)
    throw new CliError(EXIT.usage, `${name} ${JSON.stringify(value.slice(0, 20))} is not accepted; use whole seconds from ${min} to ${max}`);
  return n;
}
