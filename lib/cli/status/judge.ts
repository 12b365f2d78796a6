import type { FunctionInfo } from '../../fc/remote';
import type { StateSummary } from '../../monitor/status';
import { duration, localTime } from '../../time';
import { vodAdvice } from '../../vod/advice';
import type { Outcome } from '../checks';
import { whenAgo } from '../format';
import { cadenceFindings } from './cadence';
import type { Deployed } from './gather';
import { policyFindings } from './policy';

/** One line of `status`. */
export interface Finding {
  readonly outcome: Outcome;
  readonly text: string;
  readonly fix?: string;
}

const RUN_IT = '`npx vod-refresh-monitor invoke` runs it once (dry run) and shows what goes wrong; the function logs (SLS) hold every run-report';

function describe(f: FunctionInfo): string {
  const modified = f.lastModifiedTime && !Number.isNaN(Date.parse(f.lastModifiedTime)) ? `, last modified ${localTime(Date.parse(f.lastModifiedTime))}` : '';
  return `${f.state ?? 'state unknown'}, ${f.runtime ?? '?'}, ${f.handler ?? '?'}, ${f.memorySize ?? '?'} MB, timeout ${f.timeoutSeconds ?? '?'} s${modified}`;
}

/** The function, its timers, its failure handler and where failed runs go. */
export function functionFindings(d: Deployed): Finding[] {
  if (!d.monitor)
    return [
      {
        outcome: 'fail',
        text: `function ${d.name} does not exist`,
        fix: 'deploy it (README, "Deploy": npm run build, then s deploy), or name it with --function or FC_FUNCTION_NAME',
      },
    ];
  const out: Finding[] = [{ outcome: d.monitor.state && d.monitor.state !== 'Active' ? 'warn' : 'ok', text: `function ${d.name}: ${describe(d.monitor)}` }];
  const timers = d.timers.filter((t) => t.type === 'timer');
  if (timers.length === 0)
    out.push({ outcome: 'fail', text: 'no timer trigger: the monitor never runs on its own', fix: 'add the timer trigger of s.yaml, then s deploy' });
  for (const t of timers)
    out.push(
      t.enabled
        ? { outcome: 'ok', text: `timer ${t.name}: enabled, ${t.cron ?? 'no cron'}` }
        : {
            outcome: 'fail',
            text: `timer ${t.name} is disabled: the monitor does not run`,
            fix: 'set enable: true on the trigger in s.yaml and s deploy (or enable it in the console)',
          },
    );
  out.push(...cadenceFindings({ cadenceMs: d.cadenceMs, timeoutSeconds: d.monitor.timeoutSeconds, timers }));
  if (d.watchdog) out.push({ outcome: 'ok', text: `failure handler ${d.watchdogName}: ${describe(d.watchdog)}` });
  else
    out.push({
      outcome: 'warn',
      text: `no failure handler ${d.watchdogName}: a run that crashes or times out tells nobody`,
      fix: 'deploy it with the monitor (s.yaml)',
    });
  const target = d.asyncConfig?.onFailure;
  if (target)
    out.push({
      outcome: target.endsWith(`/${d.watchdogName}`) ? 'ok' : 'warn',
      text: `failed runs go to ${target}${d.asyncConfig?.maxRetries !== null && d.asyncConfig?.maxRetries !== undefined ? ` after ${d.asyncConfig.maxRetries} retr${d.asyncConfig.maxRetries === 1 ? 'y' : 'ies'}` : ''}`,
    });
  else
    out.push({
      outcome: 'warn',
      text: 'no onFailure destination in the async invoke config: failed runs tell nobody',
      fix: `set asyncInvokeConfig.destinationConfig.onFailure in s.yaml to the ${d.watchdogName} function`,
    });
  return out;
}

function lastGood(st: StateSummary, d: Deployed, nowMs: number): Finding {
  const limit = `BLIND_AFTER_MINUTES is ${Math.round(d.blindAfterMs / 60_000)}`;
  if (st.lastOkMs === null) return { outcome: 'fail', text: 'no run has read the tasks completely yet: the monitor is blind', fix: RUN_IT };
  const age = nowMs - st.lastOkMs;
  if (age > d.blindAfterMs)
    return { outcome: 'fail', text: `last good run ${whenAgo(st.lastOkMs, nowMs)}: blind for ${duration(age)} (${limit})`, fix: RUN_IT };
  return { outcome: 'ok', text: `last good run ${whenAgo(st.lastOkMs, nowMs)} (${limit})` };
}

function neverRan(d: Deployed, nowMs: number): Finding {
  const deployed = Date.parse(d.monitor?.lastModifiedTime ?? '');
  if (!Number.isNaN(deployed) && nowMs - deployed <= d.blindAfterMs)
    return { outcome: 'note', text: `no state yet: deployed ${whenAgo(deployed, nowMs)}, the first run is due` };
  return { outcome: 'fail', text: 'no state yet: the deployed monitor has never completed a run', fix: RUN_IT };
}

/** The state as the deployed function sees it: last good run, health, alerts waiting. */
export function stateFindings(d: Deployed, nowMs: number): Finding[] {
  if (!d.state) return [];
  if (d.state.kind === 'error') return [{ outcome: 'fail', text: `the deployed function could not report its state: ${d.state.message}`, fix: RUN_IT }];
  const st = d.state.summary;
  if (st.problem)
    return [
      {
        outcome: 'fail',
        text: `the deployed state cannot be used: ${st.problem}`,
        fix: 'the next run moves it aside and starts afresh; check the OSS mount (ossMountConfig) if this repeats',
      },
    ];
  if (!st.found) return [neverRan(d, nowMs)];
  const out = [lastGood(st, d, nowMs)];
  if (st.health?.status === 'down')
    out.push({
      outcome: 'fail',
      text: `health: down since ${whenAgo(st.health.sinceMs, nowMs)} (${st.health.code ?? 'unknown'})`,
      fix: vodAdvice(st.health.code ?? ''),
    });
  else out.push({ outcome: 'ok', text: 'health: ok (the last runs could read tasks)' });
  if (st.pendingAlerts > 0)
    out.push({
      outcome: 'warn',
      text: `${st.pendingAlerts} alert(s) wait for delivery${st.oldestPendingMs !== null ? `, the oldest for ${duration(nowMs - st.oldestPendingMs)}` : ''}`,
      fix: '`npx vod-refresh-monitor test-alert` shows whether the robot takes messages',
    });
  else out.push({ outcome: 'ok', text: 'no alert waits for delivery' });
  const frontier = st.frontierMs === null ? 'nothing read yet' : `read up to ${localTime(st.frontierMs)}`;
  out.push({ outcome: 'note', text: `${st.watching} unfinished row(s) watched; ${frontier}; the VOD API's clock is ${st.clockSkewMs} ms from the function's` });
  return [...out, ...policyFindings(st, nowMs)];
}
