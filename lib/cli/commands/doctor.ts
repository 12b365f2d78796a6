import { Checklist } from '../checks';
import { checkAlert } from '../doctor/alert';
import { checkAlerting } from '../doctor/alerting';
import { checkConfig } from '../doctor/config';
import { checkState } from '../doctor/state';
import { checkAutoRefresh, checkDomains, checkVod } from '../doctor/vod';
import type { ExitCode } from '../printer';
import type { CommonOptions, Session } from '../session';

/** Options of `doctor`. */
export interface DoctorOptions extends CommonOptions {
  /** False with --no-send: no check message goes to the robot. */
  readonly send: boolean;
}

/**
 * Checks the configuration, the credentials (one cheap call), each VOD_DOMAINS domain, the alert channel (and a
 * check message; with ALERTING_CONFIG the file's receivers and routes, a check message to each), this machine's state file, and with AUTO_REFRESH=on the quota call. Each failure says how to fix it.
 */
export async function doctorCommand(s: Session, o: DoctorOptions): Promise<ExitCode> {
  const list = new Checklist(s.print);
  const config = checkConfig(s, list);
  if (!config) {
    s.print.out('\nFix the configuration first: the other checks need it.');
    return list.exitCode();
  }
  const vod = await checkVod(s, list, config);
  if (vod) await checkDomains(s, list, config, vod.reader);
  await checkAutoRefresh(list, config, vod?.api ?? null);
  if (!(await checkAlerting(s, list, config, o.send))) await checkAlert(s, list, config, o.send);
  await checkState(s, list, config);
  s.print.out(`\n${list.verdict()}`);
  return list.exitCode();
}
