import { fcRemote } from '../../fc/remote';
import { fcSettings, functionNameOf } from '../../fc/settings';
import { localTime } from '../../time';
import { Checklist } from '../checks';
import { shortDuration } from '../format';
import { EXIT, type ExitCode, type Printer } from '../printer';
import type { CommonOptions, Session } from '../session';
import { type Deployed, gather } from '../status/gather';
import { heartbeatFindings } from '../status/heartbeat';
import { type Finding, functionFindings, stateFindings } from '../status/judge';

/** Options of `status`. */
export interface StatusOptions extends CommonOptions {
  readonly function?: string;
  readonly json?: boolean;
}

const MAX_RUNS_SHOWN = 10;

function printRuns(print: Printer, d: Deployed): void {
  const runs = d.state?.kind === 'summary' ? [...d.state.summary.runs].reverse().slice(0, MAX_RUNS_SHOWN) : [];
  if (runs.length === 0) return;
  print.out('last runs, newest first');
  print.table(
    ['Time (UTC+8)', 'Status', 'Read', 'API calls', 'New failures', 'Alerts waiting', 'Duration'],
    runs.map((r) => [
      localTime(r.atMs).replace(' UTC+8', ''),
      r.status,
      r.readComplete ? 'complete' : 'partial',
      String(r.apiCalls),
      String(r.newFailures),
      String(r.pendingAlerts),
      shortDuration(r.durationMs),
    ]),
    '  ',
  );
}

/** The JSON view: what was learnt, without the function's environment (it holds secrets). */
function jsonOf(d: Deployed, findings: Finding[], code: ExitCode) {
  const strip = (f: Deployed['monitor']) => (f ? { ...f, environment: undefined } : null);
  return {
    function: strip(d.monitor),
    timers: d.timers,
    watchdog: strip(d.watchdog),
    asyncInvokeConfig: d.asyncConfig,
    state: d.state,
    heartbeat: d.heartbeat,
    blindAfterMinutes: d.blindAfterMs / 60_000,
    everyMinutes: d.cadenceMs / 60_000,
    findings,
    exitCode: code,
  };
}

/**
 * How the DEPLOYED monitor is doing, from the Function Compute API: the function and its timers, the failure handler,
 * where failed runs go, the state as the function itself reads it, and the heartbeat as the watchdog sees it (two
 * synchronous, read-only invocations).
 */
export async function statusCommand(s: Session, o: StatusOptions): Promise<ExitCode> {
  const name = functionNameOf(o.function, s.env);
  const settings = fcSettings(s.env);
  const d = await gather(fcRemote(settings, s.credentials()), name, s.print, s.env);
  const fnFindings = functionFindings(d);
  const stFindings = stateFindings(d, s.now());
  const hbFindings = heartbeatFindings(d, s.now());
  const all = [...fnFindings, ...stFindings, ...hbFindings];
  const code = all.some((f) => f.outcome === 'fail') ? EXIT.problem : EXIT.ok;
  if (o.json) {
    s.print.json(jsonOf(d, all, code));
    return code;
  }
  const list = new Checklist(s.print);
  list.section(`deployed monitor ${name} (Function Compute 3.0 API, ${settings.endpoint})`);
  for (const f of fnFindings) list.add(f.outcome, f.text, f.fix);
  if (d.state) {
    list.section(`state as the deployed function sees it${d.state.kind === 'summary' ? ` (${d.state.summary.location})` : ''}`);
    for (const f of stFindings) list.add(f.outcome, f.text, f.fix);
  }
  if (hbFindings.length) {
    list.section(`the heartbeat, as the watchdog ${d.watchdogName} sees it`);
    for (const f of hbFindings) list.add(f.outcome, f.text, f.fix);
  }
  printRuns(s.print, d);
  return code;
}
