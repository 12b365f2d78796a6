import { Command, CommanderError, Option } from 'commander';
import { version } from '../../package.json';
import { envSecrets } from '../redact';
import { OBJECT_TYPES, QUERY_STATUSES } from '../vod/types';
import { checkCommand } from './commands/check';
import { doctorCommand } from './commands/doctor';
import { invokeCommand } from './commands/invoke';
import { localCommand } from './commands/local';
import { preloadCommand, refreshCommand } from './commands/refresh';
import { runCommand } from './commands/run';
import { setupCommand } from './commands/setup';
import { statusCommand } from './commands/status';
import { tasksCommand } from './commands/tasks';
import { testAlertCommand } from './commands/test-alert';
import { waitCommand } from './commands/wait';
import { withDotenv } from './dotenv';
import { EXIT, type ExitCode, explain, Printer } from './printer';
import { type CliIo, type CommonOptions, openSession, type Session } from './session';
import { collect, repeat } from './wait/input';

export { EXIT } from './printer';
export type { CliIo } from './session';

const EXIT_HELP =
  '\nExit codes: 0 ok; 1 a problem was found (alert refused, a check failed, the run was degraded, the monitor is unhealthy); 2 bad usage or configuration; 3 a remote service refused or could not be reached.';
const WAIT_EXIT_HELP =
  '\nExit codes: 0 ok; 1 a problem was found (a URL failed, or a task id or URL was not found: each listed with its Description); 2 bad usage or configuration; 3 the VOD API refused or could not be reached; 4 --timeout ran out before every URL ended (what is unfinished is listed).\nSee docs/cli.md for a pipeline example.';
const FUNCTION_HELP = 'function name (default: FC_FUNCTION_NAME, else vod-refresh-monitor)';

type Action<O> = (s: Session, o: O) => Promise<ExitCode>;
type Add = <O extends CommonOptions>(name: string, description: string, action: Action<O>, exitHelp?: string) => Command;

/** The options of every command that waits. */
function waiting(c: Command): Command {
  return c
    .option('--url <url>', 'a URL (repeatable); URLs may also be given as arguments', repeat)
    .option('--timeout <duration>', 'give up after this long (90s, 30m, 1h30m; at most 24h)', '30m')
    .option('--interval <duration>', 'the longest pause between looks; the first is 10s (or this, if shorter)', '1m')
    .option('--fail-fast', 'end at the first failed URL instead of waiting for every URL')
    .option('--json', 'print one JSON document at the end: the outcome and every URL with its Status and Description');
}

/** `wait`, `refresh` and `preload`: the commands for deploy pipelines. */
function addWaitCommands(add: Add): void {
  const then = 'then wait until every URL has ended; exit as `wait` does';
  waiting(
    add(
      'wait',
      'wait for refresh or preload tasks, URL by URL, for deploy pipelines (progress on a terminal, a summary at the end)',
      waitCommand,
      WAIT_EXIT_HELP,
    )
      .argument('[urls...]', 'URLs: their newest task is followed; with --task-id, those URLs under those ids')
      .option('--task-id <id>', 'a task id to follow, every URL of it (repeatable, or comma-separated)', collect),
  );
  waiting(
    add('refresh', 'refresh URLs on the CDN (RefreshVodObjectCaches); with --wait, wait for them as `wait` does', refreshCommand, WAIT_EXIT_HELP)
      .argument('[urls...]', 'the URLs to refresh (directories end with /)')
      .addOption(new Option('--type <type>', 'file or directory').choices(['file', 'directory']).default('file'))
      .option('--force', 'directories: purge every file under them, not only the changed ones')
      .option('--wait', then),
  );
  waiting(
    add('preload', 'preload URLs into the CDN (PreloadVodObjectCaches); with --wait, wait for them as `wait` does', preloadCommand, WAIT_EXIT_HELP)
      .argument('[urls...]', 'the URLs to preload (files only)')
      .addOption(new Option('--area <area>', "where to preload (default: the API's, domestic)").choices(['domestic', 'overseas']))
      .option('--wait', then),
  );
}

/** Every command of the CLI, with its options. */
function addCommands(add: Add): void {
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
  add('setup', 'create the RAM role, its policies and the private state bucket the deploy needs, and write them into .env', setupCommand)
    .option('--yes', 'make the changes (without it: print the plan, change nothing)')
    .option('--role <name>', 'the RAM role of the functions (default vod-refresh-monitor)')
    .option('--bucket <name>', 'the state bucket (default STATE_BUCKET, else vod-refresh-monitor-<account id>)')
    .option('--auto-refresh', 'also attach deploy/ram-policy-auto-refresh.json (implied by AUTO_REFRESH=on)');
  add('check', 'the deploy check `s deploy` runs first (no network)', checkCommand).option('--code <folder>', 'the folder s.yaml deploys', 'dist');
  add('status', 'how the DEPLOYED monitor is doing, from the Function Compute 3.0 API', statusCommand)
    .option('--function <name>', FUNCTION_HELP)
    .option('--json', 'print JSON');
  add('invoke', 'run the deployed function once with {"dryRun": true} and show its report', invokeCommand)
    .option('--function <name>', FUNCTION_HELP)
    .option('--json', 'print the report as JSON');
  addWaitCommands(add);
  add(
    'local',
    'run a local VOD API, DingTalk robot and Function Compute API (as s.yaml deploys it), print the variables to reach them, and make URLs fail, hang or recover on a key',
    localCommand,
  )
    .option('--rows <n>', 'rows of history to seed', '300')
    .option('--alerting', 'write and use a sample alerting file: two robots, a route by domain, a mute (docs/cli.md)');
}

/** Builds the program; each action opens its session with `open` and hands its exit code to `done`. */
function program(open: (o: CommonOptions) => Session, done: (code: ExitCode) => void): Command {
  const root = new Command('vod-refresh-monitor')
    .description(
      'Watch VOD CDN refresh and preload tasks; alert on-call when one fails.\nReads the same environment variables as the function (docs/configuration.md), and .env in this folder as `s` does (the shell wins).',
    )
    .version(version, '-V, --version', 'print the version')
    .addHelpText('after', EXIT_HELP);
  const add: Add = <O extends CommonOptions>(name: string, description: string, action: Action<O>, exitHelp = EXIT_HELP) =>
    root
      .command(name)
      .description(description)
      .option('--verbose', 'JSON log lines on stderr (as LOG_LEVEL=debug)')
      .addHelpText('after', exitHelp)
      .action(async (...params: unknown[]) => {
        // Commander hands the arguments first and the command last; options and arguments travel as one object.
        const command = params.at(-1) as Command;
        const o = { ...command.opts(), args: command.args } as unknown as O;
        const session = open(o);
        session.logger.debug({ event: 'cli-command', command: name, version, logLevel: session.level }, `vod-refresh-monitor ${name}`);
        done(await action(session, o));
      });
  addCommands(add);
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
export async function main(argv: string[], given: CliIo): Promise<ExitCode> {
  // `.env` beside s.yaml reaches every command as it reaches `s` (the shell wins); with no cwd the environment is all there is.
  const io: CliIo = given.cwd ? { ...given, env: withDotenv(given.env, given.cwd).env } : given;
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
