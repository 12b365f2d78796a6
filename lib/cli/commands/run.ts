import { createHandler } from '../../../functions/refresh-monitor/index';
import { CliError, EXIT, type ExitCode } from '../printer';
import { exitOfReport, printReport, secondsOption } from '../report';
import { type CommonOptions, type HandlerFactory, isRunReport, type Session } from '../session';

/** Options of `run`. */
export interface RunCommandOptions extends CommonOptions {
  readonly dryRun?: boolean;
  readonly json?: boolean;
  readonly timeout: string;
}

/** The monitor's own handler, built into the CLI bundle. */
export const bundledHandler: HandlerFactory = (o) => {
  const handler = createHandler({ env: o.env, now: o.now, logDestination: { write: (line: string) => o.logDestination.write(line) } });
  return (event, context) => handler(event, context as Parameters<typeof handler>[1]);
};

/**
 * One monitoring pass with the function's configuration and state, through the monitor's own handler. The event has
 * no triggerTime, so it is never taken for a duplicated timer event.
 */
export async function runCommand(s: Session, o: RunCommandOptions): Promise<ExitCode> {
  const timeoutS = secondsOption('--timeout', o.timeout, 10, 3600);
  s.config();
  s.credentials();
  const factory = s.io.handlerFactory ?? bundledHandler;
  const handler = factory({ env: { ...s.env, LOG_LEVEL: s.level }, now: s.now, logDestination: { write: (line: string) => s.print.err(line.trimEnd()) } });
  const event = Buffer.from(JSON.stringify({ triggerName: 'vod-refresh-monitor-cli', payload: JSON.stringify({ dryRun: Boolean(o.dryRun) }) }));
  let report: unknown;
  try {
    report = await handler(event, { requestId: `cli-${s.now()}`, function: { name: 'vod-refresh-monitor-cli', timeout: timeoutS } });
  } catch (err) {
    // A run that ended, its state saved, with alerts nobody could hear: its report first, then why it failed.
    const ended = (err as { report?: unknown }).report;
    if (isRunReport(ended)) {
      printReport(s.print, ended, Boolean(o.json));
      throw new CliError(EXIT.problem, (err as Error).message);
    }
    throw new CliError(
      EXIT.problem,
      `the run failed: ${(err as Error).message}\nNothing it read is lost: the next run starts again from the last saved state.`,
      // The handler's own errors are redacted already; the printer redacts again.
      { cause: err },
    );
  }
  if (!isRunReport(report)) throw new CliError(EXIT.problem, 'the handler answered something that is not a run report');
  printReport(s.print, report, Boolean(o.json));
  return exitOfReport(report);
}
