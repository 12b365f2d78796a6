import type { DestinationStream } from 'pino';
import { notifierFor } from '../../lib/alert/channels';
import { ConfigError, loadConfig } from '../../lib/config';
import { credentialsFrom, type FcContext } from '../../lib/credentials';
import { parseTimerEvent } from '../../lib/event';
import { createLogger } from '../../lib/log';
import { runMonitor, type RunReport } from '../../lib/monitor';
import { realSleep, systemClock, type Clock, type Sleep } from '../../lib/ports';
import { envSecrets, makeRedactor } from '../../lib/redact';
import { FileStateStore } from '../../lib/state/file-store';
import { PopCoreRefreshTaskApi } from '../../lib/vod/client';

/** What tests, the CLI and the demo may replace; Function Compute uses the defaults. */
export interface HandlerOverrides {
  readonly env?: Record<string, string | undefined>;
  readonly now?: Clock;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  readonly logDestination?: DestinationStream;
}

/** Seconds kept back from the Function Compute timeout so that the state is saved before the kill. */
const TIMEOUT_MARGIN_MS = 3000;

/** Builds the Function Compute event handler: it parses, wires the adapters and calls runMonitor, nothing more. */
export function createHandler(overrides: HandlerOverrides = {}) {
  return async function handler(event: unknown, context: FcContext = {}): Promise<RunReport> {
    const now = overrides.now ?? systemClock;
    const started = now();
    const env = overrides.env ?? process.env;
    const redact = makeRedactor([context.credentials?.accessKeySecret, context.credentials?.securityToken, ...envSecrets(env)]);
    const logger = createLogger({ redact, ...(overrides.logDestination ? { destination: overrides.logDestination } : {}) }).child({ requestId: context.requestId ?? null });
    let config;
    let credentials;
    try {
      config = loadConfig(env);
      credentials = credentialsFrom(context, env);
    } catch (err) {
      if (err instanceof ConfigError) {
        logger.error({ event: 'config-invalid', problems: err.problems }, err.message);
        throw new Error(redact(err.message));
      }
      throw err;
    }
    logger.level = config.logLevel;
    const trigger = parseTimerEvent(event);
    for (const p of trigger.problems) logger.warn({ event: 'event-ignored' }, p);
    const timeoutMs = (typeof context.function?.timeout === 'number' && context.function.timeout > 0 ? context.function.timeout : 60) * 1000;
    const api = new PopCoreRefreshTaskApi({ endpoint: config.vod.endpoint, credentials, timeoutMs: config.vod.requestTimeoutMs, method: config.vod.method });
    try {
      const report = await runMonitor(
        {
          config,
          api,
          apiCalls: () => api.counter.calls,
          store: new FileStateStore(config.stateFile),
          notifier: notifierFor(config, now),
          logger,
          now,
          sleep: overrides.sleep ?? realSleep,
          random: overrides.random ?? Math.random,
          deadlineMs: started + timeoutMs - TIMEOUT_MARGIN_MS,
        },
        { dryRun: trigger.dryRun, triggerTime: trigger.triggerTime },
      );
      logger.info({ event: 'run-report', report: { ...report, preview: report.preview ? `${report.preview.length} message(s)` : undefined } }, `run ${report.status}`);
      return report;
    } catch (err) {
      const message = redact(err instanceof Error ? err.message : String(err));
      logger.error({ event: 'run-failed', err: { name: (err as Error)?.name, message } }, 'run failed; the state keeps every undelivered alert');
      throw new Error(message);
    }
  };
}

/** The Function Compute entry point (`index.handler`). */
export const handler = createHandler();
