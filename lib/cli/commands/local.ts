import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startLocal } from '../local/world';
import { CliError, EXIT, type ExitCode } from '../printer';
import { type CommonOptions, isRunReport, type Session } from '../session';

/** Options of `local`. */
export interface LocalCommandOptions extends CommonOptions {
  readonly rows: string;
}

const TIMER_MS = 5 * 60_000;

/** The project's dist/index.js: found from this file up to the folder of our package.json (the bundle or the source). */
function builtBundle(from = __dirname): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'vod-refresh-monitor') {
      const bundle = path.join(dir, 'dist', 'index.js');
      return existsSync(bundle) ? bundle : null;
    }
    if (path.dirname(dir) === dir) return null;
  }
}

const untilSignal = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

/**
 * Starts the local VOD API, DingTalk robot and Function Compute API (whose functions run dist/index.js), prints the
 * `export` lines the other commands need, and runs until Ctrl-C. Every stdout line is shell: the file can be sourced.
 */
export async function localCommand(s: Session, o: LocalCommandOptions): Promise<ExitCode> {
  const rows = Number(o.rows);
  if (!/^\d+$/.test(o.rows) || rows < 10 || rows > 1_000_000)
    throw new CliError(EXIT.usage, `--rows ${JSON.stringify(o.rows.slice(0, 20))} is not accepted; use a whole number from 10 to 1000000`);
  const bundlePath = builtBundle();
  if (!bundlePath) throw new CliError(EXIT.usage, 'dist/index.js is not built: run `npm run build` first (local runs the same bundle as Function Compute)');
  const world = await startLocal({ bundlePath, rows, log: (line) => (s.level === 'silent' && line.startsWith('{') ? undefined : s.print.err(line)) });
  const first = await world.tick().catch((err: unknown) => err as Error);
  const ran = isRunReport(first)
    ? `${first.status}, ${first.failures.new} new failure(s), ${first.alerts.messagesSent} message(s) to the robot`
    : `it failed: ${(first as Error).message}`;
  const say = (line: string) => s.print.raw(line);
  say('# vod-refresh-monitor local: a VOD API, a DingTalk robot and a Function Compute 3.0 API on 127.0.0.1.');
  say('# Nothing here reaches Alibaba Cloud or DingTalk; the keys below are throwaway ones, made for this run.');
  say('# Paste these lines into another terminal (every line of this output is shell):');
  for (const [k, v] of world.exports) say(`export ${k}=${quote(v)}`);
  say('unset ALIBABA_CLOUD_SECURITY_TOKEN');
  say(`# "deployed" function ${world.functionName}: ran once at start (${ran}); its timer runs it every 5 minutes.`);
  say(`# Its state (what \`status\` reads, through the function): ${world.deployedStateFile}. STATE_FILE above is this machine's, for \`run\` and \`doctor\`.`);
  say('# Then try, in that terminal: npx vod-refresh-monitor doctor, then tasks --since 3d, status, invoke, test-alert --preview, run --dry-run');
  say('# ready. Ctrl-C stops the simulators.');
  const timer = setInterval(() => void world.tick().catch(() => undefined), TIMER_MS);
  await (s.io.stopSignal ?? untilSignal)();
  clearInterval(timer);
  await world.close();
  s.print.err('local: the simulators are stopped');
  return EXIT.ok;
}
