import { timingsOf } from '../../config';
import type { AsyncInvokeInfo, FunctionInfo, FunctionRemote, TriggerInfo } from '../../fc/remote';
import { WATCHDOG_SUFFIX } from '../../fc/settings';
import type { StateSummary } from '../../monitor/status';
import { envSecrets } from '../../redact';
import type { HeartbeatView } from '../../watchdog';
import type { Printer } from '../printer';
import { isRunReport } from '../session';

/** The state as the deployed function reported it, or why it could not. */
type DeployedState = { readonly kind: 'summary'; readonly summary: StateSummary } | { readonly kind: 'error'; readonly message: string };

/** What the deployed watchdog says the heartbeat shows, or why it could not say. */
export type DeployedHeartbeat = { readonly kind: 'view'; readonly view: HeartbeatView } | { readonly kind: 'error'; readonly message: string };

/** Everything `status` learnt from the Function Compute API about the deployed monitor. */
export interface Deployed {
  readonly name: string;
  readonly monitor: FunctionInfo | null;
  readonly timers: TriggerInfo[];
  readonly watchdogName: string;
  readonly watchdog: FunctionInfo | null;
  readonly asyncConfig: AsyncInvokeInfo | null;
  readonly state: DeployedState | null;
  /** The heartbeat as the deployed watchdog sees it; null when there is no watchdog. */
  readonly heartbeat: DeployedHeartbeat | null;
  /** BLIND_AFTER_MINUTES as deployed (this machine's when nothing is deployed), in ms. */
  readonly blindAfterMs: number;
  /** MONITOR_EVERY_MINUTES as deployed (this machine's when nothing is deployed), in ms. */
  readonly cadenceMs: number;
}

/** The payload that asks the function for its state. dryRun guards against builds that predate `status`: they do a dry run. */
const STATUS_PAYLOAD = { status: true, dryRun: true } as const;

function isStateSummary(v: unknown): v is StateSummary {
  const s = v as Partial<StateSummary> | null;
  return typeof s === 'object' && s !== null && typeof s.found === 'boolean' && Array.isArray(s.runs) && typeof s.location === 'string';
}

/** Asks the deployed function for its state: a synchronous invocation that reads and changes nothing on its side. */
async function stateOf(remote: FunctionRemote, fn: FunctionInfo): Promise<DeployedState> {
  const r = await remote.invoke(fn.name, STATUS_PAYLOAD, ((fn.timeoutSeconds ?? 60) + 10) * 1000);
  const body = r.body as { errorMessage?: unknown; errorType?: unknown };
  if (!r.ok)
    return {
      kind: 'error',
      message: `the function failed (${r.errorType}): ${typeof body?.errorMessage === 'string' ? body.errorMessage.slice(0, 500) : 'no message'}`,
    };
  if (isStateSummary(r.body)) return { kind: 'summary', summary: r.body };
  if (isRunReport(r.body))
    return {
      kind: 'error',
      message: 'the deployed build predates `status` (it answered with a dry run): deploy the current build (npm run build, then s deploy)',
    };
  return { kind: 'error', message: 'the function answered something that is not a state summary' };
}

/** Asks the deployed watchdog what the heartbeat shows: a synchronous invocation that sends and writes nothing. */
async function heartbeatOf(remote: FunctionRemote, fn: FunctionInfo): Promise<DeployedHeartbeat> {
  const r = await remote.invoke(fn.name, { status: true }, ((fn.timeoutSeconds ?? 30) + 10) * 1000);
  const body = r.body as { mode?: unknown; heartbeat?: HeartbeatView; errorMessage?: unknown } | null;
  if (r.ok && body?.mode === 'status' && body.heartbeat && typeof body.heartbeat.windowMs === 'number') return { kind: 'view', view: body.heartbeat };
  if (r.ok && body && 'reason' in body)
    return { kind: 'error', message: `the watchdog cannot read its alert variables: ${String((body as { reason: unknown }).reason).slice(0, 300)}` };
  return {
    kind: 'error',
    message: r.ok
      ? 'the deployed watchdog predates the heartbeat: deploy the current build (npm run build, then s deploy)'
      : `the watchdog failed (${r.errorType}): ${typeof body?.errorMessage === 'string' ? body.errorMessage.slice(0, 300) : 'no message'}; deploy the current build if it predates the heartbeat`,
  };
}

/** Reads the monitor, its timers, its failure handler, its async invoke config, its state and its heartbeat. Errors are FcError. */
export async function gather(remote: FunctionRemote, name: string, print: Printer, localEnv: Record<string, string | undefined>): Promise<Deployed> {
  const watchdogName = `${name}${WATCHDOG_SUFFIX}`;
  const monitor = await remote.getFunction(name);
  if (!monitor) return { name, monitor, timers: [], watchdogName, watchdog: null, asyncConfig: null, state: null, heartbeat: null, ...timingsOf(localEnv) };
  // The deployed environment holds the webhook and its secret: mask them in anything printed from here on.
  print.addSecrets(envSecrets(monitor.environment));
  const [timers, watchdog, asyncConfig] = await Promise.all([remote.listTriggers(name), remote.getFunction(watchdogName), remote.asyncInvokeConfig(name)]);
  const [state, heartbeat] = await Promise.all([stateOf(remote, monitor), watchdog ? heartbeatOf(remote, watchdog) : null]);
  return { name, monitor, timers, watchdogName, watchdog, asyncConfig, state, heartbeat, ...timingsOf(monitor.environment) };
}
