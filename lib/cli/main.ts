import { Command, CommanderError, Option } from 'commander';
import { version } from '../../package.json';
import { envSecrets } from '../redact';
import { OBJECT_TYPES, QUERY_STATUSES } from '../vod/types';
import { doctorCommand } from './commands/doctor';
import { invokeCommand } from './commands/invoke';
import { localCommand } from './commands/local';
import { runCommand } from './commands/run';
import { statusCommand } from './commands/status';
import { tasksCommand } from './commands/tasks';
import { testAlertCommand } from './commands/test-alert';
import { EXIT, type ExitCode, explain, Printer } from './printer';
import { type CliIo, type CommonOptions, openSession, type Session } from './session';

export { EXIT } from './printer';
export type { CliIo } from './session';

const EXIT_HELP =
  '\nExit codes: 0 ok; 1 a problem was found (alert refused, a check failed, the run was degraded, the monitor is unhealthy); 2 bad usage or configuration; 3 a remote service refused or could not be reached.';
const FUNCTION_HELP = 'function name (default: FC_FUNCTION_NAME, else vod-refresh-monitor)';

type Action<O> = (s: Session, o: O) => Promise<ExitCode>;

/** Builds the program; each action opens its session with `open` and hands its exit code to `done`. */
function program(open: (o: CommonOptions) => Session, done: (code: ExitCode) => void): Command {
  const root = new Command('vod-refresh-monitor')
    .description(
      'Watch VOD CDN refresh and preload tasks; alert on-call when one fails.\nReads the same environment variables as the function (README, "Configuration").',
    )
    .version(version, '-V, --version', 'print the version')
    .addHelpText('after', EXIT_HELP);
  const add = <O extends CommonOptions>(name: string, description: string, action: Action<O>) =>
    root
      .command(name)
      .description(description)
      .option('--verbose', 'JSON log lines on stderr (as LOG_LEVEL=debug)')
      .addHelpText('after', EXIT_HELP)
      .action(async (o: O) => {
        const session = open(o);
        session.logger.debug({ event: 'cli-command', command: name, version, logLevel: session.level }, `vod-refresh-monitor ${name}`);
        done(await action(session, o));
      });
  add('run', "one monitoring pass with the function's configuration and state", runCommand)
    .option('--dry-run', 'print the alerts instead of sending them; write no state')
    .option('--json', 'print the run report as JSON')
    .option('--timeout <seconds>', "the run's time budget, as the function's timeout", '300');
  add('tasks', 'list refresh and preload rows of a window (times in UTC+8), progress on stderr', tasksCommand)
    .option('--since <when>', 'start: a duration back from now (30m, 2h, 3d) or a time with its zone (2026-11-28T22:00:00Z, 2026-11-28T22:00:00+08:00)', '1h')
    .option('--until <when>', 'end, in the same forms (default: now)')
    .addOption(new Option('--status <status>', 'only rows with this status').choices([...QUERY_STATUSES]))
    .addOption(new Option('--type <type>', 'only this object type (then --status and --domain are sent to the API)').choices([...OBJECT_TYPES]))
    .option('--domain <domain>', 'only this domain (sent to the API with --type, else filtered here)')
    .option('--json', 'print JSON instead of a table');
  add('test-alert', "send a sample alert labelled as a test, and explain the robot's answer", testAlertCommand)
    .option('--preview', 'print the message; send nothing')
    .option('--ring', 'ring whom real alerts ring (default: nobody)');
  add('doctor', "check the configuration, credentials, domains, alert channel and this machine's state file", doctorCommand).option(
    '--no-send',
    'send no check message to the robot',
  );
  add('status', 'how the DEPLOYED monitor is doing, from the Function Compute 3.0 API', statusCommand)
    .option('--function <name>', FUNCTION_HELP)
    .option('--json', 'print JSON');
  add('invoke', 'run the deployed function once with {"dryRun": true} and show its report', invokeCommand)
    .option('--function <name>', FUNCTION_HELP)
    .option('--json', 'print the report as JSON');
  add('local', 'run a local VOD API, DingTalk robot and Function Compute API, and print the variables to reach them', localCommand).option(
    '--rows <n>',
    'rows of history to seed',
    '300',
  );
  return root;
}

/** Sends commander's own output (help, usage errors that may quote a value) through a redacting printer, on every command. */
function wire(root: Command, io: CliIo): void {
  const print = new Printer(io, envSecrets(io.env));
  for (const c of [root, ...root.commands]) {
    c.exitOverride().configureOutput({ writeOut: (s) => print.out(s.trimEnd()), writeErr: (s) => print.err(s.trimEnd()) });
  }
}

/** Runs the CLI; resolves to the exit code (0 ok, 1 problem, 2 usage or configuration, 3 remote service). */
export async function main(argv: string[], io: CliIo): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  // The command's own session prints its error: its redactor may have learnt more secrets (a deployed environment).
  let session: Session | undefined;
  const open = (o: CommonOptions) => (session = openSession(io, o));
  const root = program(open, (c) => {
    code = c;
  });
  wire(root, io);
  try {
    await root.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const { code: failed, message } = explain(err);
    (session ?? openSession(io)).print.err(message);
    return failed;
  }
  return code;
}
