import { fcRemote } from '../../fc/remote';
import { fcSettings, functionNameOf } from '../../fc/settings';
import { envSecrets } from '../../redact';
import { CliError, EXIT, type ExitCode } from '../printer';
import { exitOfReport, printReport } from '../report';
import { type CommonOptions, isRunReport, type Session } from '../session';

/** Options of `invoke`. */
export interface InvokeOptions extends CommonOptions {
  readonly function?: string;
  readonly json?: boolean;
}

/**
 * Runs the deployed function once with `{"dryRun": true}` (no triggerTime: never taken for a duplicated timer event)
 * and prints its report; the exit code follows the report.
 */
export async function invokeCommand(s: Session, o: InvokeOptions): Promise<ExitCode> {
  const name = functionNameOf(o.function, s.env);
  const remote = fcRemote(fcSettings(s.env), s.credentials());
  const fn = await remote.getFunction(name);
  if (!fn)
    throw new CliError(EXIT.problem, `function ${name} does not exist\nfix: deploy it (README, "Deploy"), or name it with --function or FC_FUNCTION_NAME`);
  s.print.addSecrets(envSecrets(fn.environment));
  s.print.err(`invoking ${name} once with {"dryRun": true}: it reads and decides, sends nothing and writes no state...`);
  const r = await remote.invoke(name, { dryRun: true }, ((fn.timeoutSeconds ?? 60) + 10) * 1000);
  if (!r.ok) {
    const body = r.body as { errorMessage?: unknown } | null;
    s.print.out(
      `the run failed (${r.errorType}): ${typeof body?.errorMessage === 'string' ? body.errorMessage.slice(0, 1000) : JSON.stringify(r.body).slice(0, 1000)}`,
    );
    s.print.out('fix: the message above is what the deployed function refused; `npx vod-refresh-monitor status` shows its last runs');
    return EXIT.problem;
  }
  if (!isRunReport(r.body)) {
    s.print.out(`the function answered something that is not a run report: ${JSON.stringify(r.body).slice(0, 500)}`);
    return EXIT.problem;
  }
  printReport(s.print, r.body, Boolean(o.json));
  return exitOfReport(r.body);
}
