import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { nextCronMark } from '../../../sim/fc/cron';
import { localTime } from '../../time';
import { keyAction, keysHelp, type LocalAction } from '../local/keys';
import { startTimer } from '../local/timer';
import { type LocalWorld, startLocal } from '../local/world';
import { CliError, EXIT, type ExitCode } from '../printer';
import { type CommonOptions, isRunReport, type Session } from '../session';

/** Options of `local`. */
export interface LocalCommandOptions extends CommonOptions {
  readonly rows: string;
  readonly alerting?: boolean;
}

/** The folder of our package.json, found from this file up (the bundle or the source). */
function packageDir(from = __dirname): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'vod-refresh-monitor') return dir;
    if (path.dirname(dir) === dir) return null;
  }
}

const untilSignal = () =>
  new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

/** One line about a timer run: its outcome and what it told. */
function ranLine(result: unknown): string {
  if (result instanceof Error) return `it failed: ${result.message}`;
  if (!isRunReport(result)) return `done: ${JSON.stringify(result ?? null).slice(0, 160)}`;
  const r = result;
  return `${r.status}, ${r.failures.new} new failure(s), ${r.stuck} stuck, ${r.recovered} recovered, ${r.alerts.messagesSent} message(s) sent`;
}

/** The shell lines `local` prints: the exports, then comments on what runs and how to drive it. */
function banner(world: LocalWorld, first: unknown, nowMs: number, keys: boolean): string[] {
  const m = world.monitor;
  const lines = [
    '# vod-refresh-monitor local: a VOD API, a DingTalk robot and a Function Compute 3.0 API on 127.0.0.1.',
    '# Nothing here reaches Alibaba Cloud or DingTalk; the keys below are throwaway ones, made for this run.',
    '# Paste these lines into another terminal (every line of this output is shell):',
    ...world.exports.map(([k, v]) => `export ${k}=${quote(v)}`),
    'unset ALIBABA_CLOUD_SECURITY_TOKEN',
    `# "deployed" function ${m.functionName} (${m.memorySize} MB, ${m.timeout} s, as s.yaml deploys it): ran once at start (${ranLine(first)}).`,
    m.timer.enable
      ? `# Its timer ${m.timer.triggerName} fires on the marks of ${m.timer.cronExpression} (next: ${localTime(nextCronMark(m.timer.cronExpression, nowMs))}); MONITOR_EVERY_MINUTES=1 npm run local fires it every minute.`
      : `# Its timer ${m.timer.triggerName} is disabled in s.yaml (enable: false): press t to run it.`,
    ...world.timers
      .filter((t) => t.functionName !== m.functionName)
      .map(
        (t) =>
          `# Function ${t.functionName} has its own timer ${t.timer.triggerName}${t.timer.enable ? `, on the marks of ${t.timer.cronExpression}` : ' (disabled in s.yaml)'}.`,
      ),
    `# Its state (what \`status\` reads, through the function): ${world.deployedStateFile}. STATE_FILE above is this machine's, for \`run\` and \`doctor\`.`,
    `# A URL is told stuck after ${world.stuckAfterMinutes} min here (STUCK_AFTER_MINUTES).`,
  ];
  if (world.alertingFile)
    lines.push(
      `# Alerting file ${world.alertingFile}: video.example.com goes to robot video-team, the rest to ops; media.example.net is muted for 10 min. Edit it: the next run reads it.`,
    );
  lines.push('# Then try, in that terminal: npx vod-refresh-monitor doctor, then tasks --since 3d, status, invoke, test-alert --preview, run --dry-run');
  if (keys) lines.push(`# Keys, typed here: ${keysHelp()}.`);
  lines.push('# ready. Ctrl-C stops the simulators.');
  return lines;
}

/** Does what a key asks; runs are queued one behind the other, as a single reserved instance would run them. */
function driver(s: Session, world: LocalWorld, quit: () => void) {
  let runs: Promise<unknown> = Promise.resolve();
  const run = (markMs?: number) => {
    runs = runs.then(async () => {
      const result = await world.tick(markMs).catch((err: unknown) => err);
      s.print.err(`local: ${markMs === undefined ? 'run' : `timer ${localTime(markMs)}`}: ${ranLine(result)}`);
    });
    return runs;
  };
  const act = (action: LocalAction) => {
    if (action === 'quit') return quit();
    if (action === 'help') return s.print.err(`local: keys: ${keysHelp()}`);
    if (action === 'run') return void run();
    s.print.err(`local: ${world.actions[action]()}`);
  };
  return { run, act, idle: () => runs };
}

/**
 * Starts the local VOD API, DingTalk robot(s) and Function Compute API (its functions run dist/index.js with the
 * memory, timeout and timer of s.yaml), prints the `export` lines the other commands need, runs the timer on its
 * cron marks, and makes URLs fail, hang or recover on a key, until Ctrl-C. Every stdout line is shell.
 */
export async function localCommand(s: Session, o: LocalCommandOptions): Promise<ExitCode> {
  const rows = Number(o.rows);
  if (!/^\d+$/.test(o.rows) || rows < 10 || rows > 1_000_000)
    throw new CliError(EXIT.usage, `--rows ${JSON.stringify(o.rows.slice(0, 20))} is not accepted; use a whole number from 10 to 1000000`);
  const root = packageDir();
  const bundlePath = root && path.join(root, 'dist', 'index.js');
  if (!bundlePath || !existsSync(bundlePath))
    throw new CliError(EXIT.usage, 'dist/index.js is not built: run `npm run build` first (local runs the same bundle as Function Compute)');
  const log = (line: string) => (s.level === 'silent' && line.startsWith('{') ? undefined : s.print.err(line));
  const sYaml = readFileSync(path.join(root, 's.yaml'), 'utf8');
  const world = await startLocal({ bundlePath, sYaml, rows, alerting: o.alerting === true, env: s.env, log, now: s.now });
  const first = await world.tick().catch((err: unknown) => err);
  for (const line of banner(world, first, s.now(), s.io.keys !== undefined)) s.print.raw(line);
  let quit: () => void = () => undefined;
  const quitKey = new Promise<void>((resolve) => {
    quit = resolve;
  });
  const d = driver(s, world, () => quit());
  const stopKeys = s.io.keys?.((key) => {
    const action = keyAction(key);
    if (action) d.act(action);
  });
  // Each timer of s.yaml on its own marks; the monitor's runs queue behind each other (and behind `t`).
  const stopTimers = world.timers
    .filter((t) => t.timer.enable)
    .map((t) =>
      startTimer(t.timer.cronExpression, s.now, (mark) =>
        t.functionName === world.monitor.functionName
          ? d.run(mark)
          : t.fire(mark).then(
              (r) => s.print.err(`local: ${t.functionName} timer ${localTime(mark)}: ${ranLine(r)}`),
              (err: unknown) => s.print.err(`local: ${t.functionName} timer ${localTime(mark)}: ${ranLine(err)}`),
            ),
      ),
    );
  await Promise.race([(s.io.stopSignal ?? untilSignal)(), quitKey]);
  for (const stop of stopTimers) stop();
  stopKeys?.();
  await d.idle();
  await world.close();
  s.print.err('local: the simulators are stopped');
  return EXIT.ok;
}
