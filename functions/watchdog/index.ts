import type { DestinationStream } from 'pino';
import { loadAlertConfig } from '../../lib/config';
import type { FcContext } from '../../lib/credentials';
import { createLogger } from '../../lib/log';
import { notifierFor } from '../../lib/notify/channels';
import { renderMessages } from '../../lib/notify/render';
import { type Clock, systemClock } from '../../lib/ports';
import { envSecrets, makeRedactor } from '../../lib/redact';
import { type AlertConfig, runWatchdog, type WatchdogReport } from '../../lib/watchdog';

export type { WatchdogReport } from '../../lib/watchdog';

/** What tests, the CLI and the demo may replace; Function Compute uses the defaults. */
export interface WatchdogOverrides {
  readonly env?: Record<string, string | undefined>;
  readonly now?: Clock;
  readonly logDestination?: DestinationStream;
}

/**
 * Builds the watchdog's handler: the monitor's onFailure destination and its dead man's switch (its own timer). It
 * parses, loads the alert variables, wires the adapters and calls runWatchdog, nothing more.
 */
export function createWatchdog(overrides: WatchdogOverrides = {}) {
  return async function watchdog(event: unknown, context?: FcContext | null): Promise<WatchdogReport> {
    const now = overrides.now ?? systemClock;
    const env = overrides.env ?? process.env;
    // Both functions share the role: its keys from the context are secrets here too.
    const redact = makeRedactor([context?.credentials?.accessKeySecret, context?.credentials?.securityToken, ...envSecrets(env)]);
    let config: AlertConfig | { problem: string };
    try {
      config = loadAlertConfig(env);
    } catch (err) {
      config = { problem: redact(err instanceof Error ? err.message : String(err)) };
    }
    const logger = createLogger({
      redact,
      level: 'problem' in config ? 'info' : config.logLevel,
      base: { app: 'vod-refresh-monitor-watchdog' },
      ...(overrides.logDestination ? { destination: overrides.logDestination } : {}),
    }).child({ requestId: context?.requestId ?? null });
    const report = await runWatchdog({ config, notifierOf: (alert) => notifierFor(alert, now), render: renderMessages, logger, now, redact }, event);
    // What it had to tell reached nobody: the invocation fails, the one signal left (an alarm on the function's errors).
    if (report.mode !== 'status' && !report.delivered && (report.announced || report.reason !== undefined))
      throw new Error(redact(`The watchdog could not tell on-call: ${report.reason ?? report.cause}`));
    return report;
  };
}

/** The watchdog's entry point (`index.watchdog`). */
export const watchdog = createWatchdog();
