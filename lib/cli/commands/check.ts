import path from 'node:path';
import { deployFindings } from '../check/deploy';
import { EXIT, type ExitCode } from '../printer';
import type { CommonOptions, Session } from '../session';

/** Options of `check`. */
export interface CheckOptions extends CommonOptions {
  /** The folder s.yaml deploys (`code:`): where an ALERTING_CONFIG under /code/ is found. */
  readonly code: string;
}

const LABEL = { ok: 'ok', note: 'note', fail: 'FAIL' } as const;

/**
 * The deploy check, which s.yaml runs before `s deploy` changes anything (`actions: pre-deploy`): it refuses (exit 2)
 * a configuration the function would refuse or whose alerts would reach nobody, each line with its fix; s then
 * stops and prints what this wrote to stderr. No network.
 */
export async function checkCommand(s: Session, o: CheckOptions): Promise<ExitCode> {
  const findings = await deployFindings(s.env, path.resolve(o.code));
  const failed = findings.some((f) => f.outcome === 'fail');
  // On failure everything goes to stderr: that is what s shows under "Error Message".
  const say = (text: string) => (failed ? s.print.err(text) : s.print.out(text));
  say(
    failed
      ? 'deploy check FAILED: the function would refuse this configuration, or its alerts would reach nobody. s deploy stops here, before anything is deployed.'
      : 'deploy check passed (no network used):',
  );
  for (const f of findings) {
    say(`  ${LABEL[f.outcome].padEnd(5)} ${f.text}`);
    if (f.fix) say(`        fix: ${f.fix}`);
  }
  if (failed)
    say('Fix each FAIL line in your shell or in .env beside s.yaml, then run s deploy again; `npx vod-refresh-monitor check` repeats this check alone.');
  return failed ? EXIT.usage : EXIT.ok;
}
