import type { DestinationStream } from 'pino';
import { budget } from '../../lib/budget';
import { type Config, ConfigError, loadConfig } from '../../lib/config';
import { credentialsFrom, type FcContext } from '../../lib/credentials';
import { createLogger } from '../../lib/log';
import { type MonitorDeps, type RunReport, runMonitor } from '../../lib/monitor';
import { type StateSummary, summarizeState } from '../../lib/monitor/status';
import { unheard } from '../../lib/monitor/unheard';
import { notifierFor } from '../../lib/notify/channels';
import { type AlertingPlan, loadAlerting, problemSummary, singleRobot } from '../../lib/policy/load';
import { type Clock, realSleep, type Sleep, systemClock } from '../../lib/ports';
import { envSecrets, makeRedactor, type Redactor, urlSecrets } from '../../lib/redact';
import { FileStateStore } from '../../lib/state/file-store';
import type { StateFs } from '../../lib/state/fs';
import { fallbackLocation, ResilientStore } from '../../lib/state/resilient-store';
import { parseTimerEvent } from '../../lib/trigger';
import { PopCoreVodApi } from '../../lib/vod/client';
import { withHeartbeat } from '../../lib/watchdog/heartbeat';
import { lastFailureCause } from '../../lib/watchdog/memory';

/** What tests, the CLI and the demo may replace; Function Compute uses the defaults. */
export interface HandlerOverrides {
  readonly env?: Record<string, string | undefined>;
  readonly now?: Clock;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  readonly logDestination?: DestinationStream;
  /** The file system the state lives on (tests make it fail), and where the instance's copy of the state goes. */
  readonly fs?: StateFs;
  readonly tmpDir?: string;
}

/**
 * The alerting file's plan, read every run; when it cannot be used, the environment's robot takes every alert and
 * the run says why (a broken file must not silence the monitor).
 */
async function alertingFor(
  config: Config,
  env: Record<string, string | undefined>,
  logger: { error: (o: object, m: string) => void },
  redact: Redactor,
): Promise<{ alerting: AlertingPlan; alertingProblem: string | null }> {
  if (!config.alertingConfig) return { alerting: singleRobot(config), alertingProblem: null };
  try {
    const alerting = await loadAlerting(config.alertingConfig, config, env);
    for (const r of alerting.receivers.values()) redact.add([r.alert.secret, ...urlSecrets([r.alert.url])]);
    return { alerting, alertingProblem: null };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    logger.error({ event: 'alerting-config-invalid', problems: err.problems }, err.message);
    return { alerting: singleRobot(config), alertingProblem: problemSummary(err.problems) };
  }
}

/** Seconds assumed when the context does not say (Function Compute always does). */
const DEFAULT_TIMEOUT_S = 60;

/** The run's logger and validated configuration; a configuration refused is logged and thrown, redacted. */
function configure(env: Record<string, string | undefined>, requestId: string | null, redact: Redactor, destination?: DestinationStream) {
  const logger = createLogger({ redact, level: env.LOG_LEVEL || 'info', ...(destination ? { destination } : {}) }).child({ requestId });
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) logger.error({ event: 'config-invalid', problems: err.problems }, err.message);
    // No `cause`: the original may quote a variable's value, and Function Compute logs the whole error.
    throw new Error(redact((err as Error).message));
  }
  logger.level = config.logLevel;
  for (const w of config.warnings) logger.warn({ event: 'config-warning' }, w);
  return { logger, config };
}

/** The state where the configuration says, with this instance's copy for when it cannot be used. */
function storeOf(config: Config, overrides: HandlerOverrides, now: Clock): ResilientStore {
  return new ResilientStore(new FileStateStore(config.stateFile, overrides.fs), new FileStateStore(fallbackLocation(config.stateFile, overrides.tmpDir)), now);
}

/** A run that ended, its state saved, with alerts that no channel takes (lib/monitor/unheard.ts). */
class Unheard extends Error {
  constructor(
    message: string,
    readonly report: RunReport,
  ) {
    super(message);
  }
}

/** Builds the Function Compute event handler: it parses, wires the adapters and calls runMonitor, nothing more. */
export function createHandler(overrides: HandlerOverrides = {}) {
  return async function handler(event: unknown, context: FcContext = {}): Promise<RunReport | StateSummary> {
    const now = overrides.now ?? systemClock;
    const startedMs = now();
    const env = overrides.env ?? process.env;
    const redact = makeRedactor([context.credentials?.accessKeySecret, context.credentials?.securityToken, ...envSecrets(env)]);
    const { logger, config } = configure(env, context.requestId ?? null, redact, overrides.logDestination);
    const trigger = parseTimerEvent(event);
    for (const p of trigger.problems) logger.warn({ event: 'event-ignored' }, p);
    const store = storeOf(config, overrides, now);
    if (trigger.status) return summarizeState(store, startedMs);
    const timeoutMs = (typeof context.function?.timeout === 'number' && context.function.timeout > 0 ? context.function.timeout : DEFAULT_TIMEOUT_S) * 1000;
    const api = new PopCoreVodApi({
      endpoint: config.vod.endpoint,
      credentials: credentialsFrom(context, env),
      timeoutMs: config.vod.requestTimeoutMs,
      method: config.vod.method,
    });
    const deps: MonitorDeps = {
      config,
      api,
      writer: api,
      apiCalls: () => api.counter.calls,
      store,
      ...(await alertingFor(config, env, logger, redact)),
      notifierOf: (r) => notifierFor(r.alert, now),
      logger,
      now,
      sleep: overrides.sleep ?? realSleep,
      random: overrides.random ?? Math.random,
      budget: budget(startedMs, timeoutMs, config.alert.timeoutMs, config.cadenceMs),
      lastFailureCause: () => lastFailureCause(config.stateFile),
    };
    try {
      const report = await withHeartbeat(runMonitor, config.stateFile, { startedMs, dryRun: trigger.dryRun, now, redact })(deps, {
        dryRun: trigger.dryRun,
        triggerTime: trigger.triggerTime,
      });
      const logged = { ...report, preview: report.preview ? `${report.preview.length} message(s)` : undefined };
      logger.info({ event: 'run-report', report: logged }, `run ${report.status}`);
      const nobody = report.dryRun ? null : unheard(report);
      if (nobody) throw new Unheard(nobody, report);
      return report;
    } catch (err) {
      if (err instanceof Unheard) {
        logger.error({ event: 'run-unheard', reason: err.message }, 'alerts reached nobody: the invocation fails so that the failure destination speaks');
        // The report rides along for the CLI's `run`, which prints it before the failure (Function Compute ignores it).
        throw Object.assign(new Error(redact(err.message)), { report: err.report });
      }
      logger.error(
        { event: 'run-failed', err },
        'run failed: the next run starts again from the last saved state, so nothing read here is lost; the failure handler tells on-call',
      );
      throw new Error(redact(err instanceof Error ? err.message : String(err)));
    }
  };
}

/** The Function Compute entry point (`index.handler`). */
export const handler = createHandler();
