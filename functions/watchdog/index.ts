import type { DestinationStream } from 'pino';
import { ConfigError, loadAlertConfig } from '../../lib/config';
import { noticeKey } from '../../lib/events/keys';
import { createLogger, serializeError } from '../../lib/log';
import { notifierFor } from '../../lib/notify/channels';
import { renderMessages } from '../../lib/notify/render';
import { type Clock, systemClock } from '../../lib/ports';
import { envSecrets, makeRedactor } from '../../lib/redact';
import { FileStateStore } from '../../lib/state/file-store';
import { localTime } from '../../lib/time';
import { decideAnnouncement, failureAdvice, parseFailure } from '../../lib/watchdog/failure';
import { loadMemory, saveMemory } from '../../lib/watchdog/memory';

export interface WatchdogOverrides {
  readonly env?: Record<string, string | undefined>;
  readonly now?: Clock;
  readonly logDestination?: DestinationStream;
}

/** What the failure handler did with one failed run. */
export interface WatchdogReport {
  readonly announced: boolean;
  readonly kind: string;
  readonly cause: string;
  readonly delivered: boolean;
  readonly reason?: string;
}

/**
 * The handler Function Compute calls when a monitor run failed for good (asyncInvokeConfig.destinationConfig.onFailure):
 * a crash, a timeout, running out of memory, a configuration the monitor refused. It tells on-call once per cause,
 * with the fix; the monitor's next good run says how long it was blind.
 */
export function createWatchdog(overrides: WatchdogOverrides = {}) {
  return async function watchdog(event: unknown, context: { requestId?: string } = {}): Promise<WatchdogReport> {
    const now = overrides.now ?? systemClock;
    const env = overrides.env ?? process.env;
    const redact = makeRedactor(envSecrets(env));
    const logger = createLogger({
      redact,
      level: env.LOG_LEVEL || 'info',
      base: { app: 'vod-refresh-monitor-watchdog' },
      ...(overrides.logDestination ? { destination: overrides.logDestination } : {}),
    }).child({ requestId: context.requestId ?? null });
    const failure = parseFailure(event, now());
    const text = redact(failure.text);
    logger.error(
      { event: 'monitor-run-failed', kind: failure.kind, cause: text, failedRequestId: failure.requestId, attempts: failure.attempts },
      'a monitor run failed for good',
    );
    let config: ReturnType<typeof loadAlertConfig>;
    try {
      config = loadAlertConfig(env);
    } catch (err) {
      const reason = err instanceof ConfigError ? err.message : String(err);
      logger.error({ event: 'watchdog-cannot-alert', err: serializeError(err) }, 'the alert channel itself is misconfigured; nobody can be told');
      return { announced: false, kind: failure.kind, cause: text, delivered: false, reason: redact(reason) };
    }
    const memory = await loadMemory(config.stateFile);
    const monitor = await new FileStateStore(config.stateFile).load(now()).catch(() => null);
    const decision = decideAnnouncement(memory, { ...failure, text }, monitor?.state.lastOkMs ?? null, now());
    let delivered = false;
    if (decision.announce) {
      const message = `A monitor run failed and Function Compute gave up on it at ${localTime(failure.atMs)} after ${failure.attempts} attempt(s) (request ${failure.requestId ?? 'unknown'}): ${text}. Fix: ${failureAdvice(failure.kind).replace('<id>', failure.requestId ?? '<id>')}. Until a run succeeds, refresh failures are not reported; the next good run says how long the monitor was blind.`;
      const options = {
        monitorName: config.alert.monitorName,
        keywords: config.alert.keywords,
        mentions: { atMobiles: config.alert.atMobiles, atUserIds: config.alert.atUserIds, atAllMinFailures: 0 },
        stuckAfterMinutes: 30,
      };
      const notifier = notifierFor(config.alert, now);
      const [m] = renderMessages(
        [{ kind: 'notice', key: noticeKey(`run-failed:${decision.key}`, { once: true }), code: 'RunFailed', message }],
        { ...options, maxBodyBytes: notifier.maxBodyBytes },
        (x) => notifier.measure(x),
      );
      const r = await notifier.send(m!, config.alert.timeoutMs);
      delivered = r.ok;
      if (r.ok) decision.memory.causes[decision.key] = { ...decision.memory.causes[decision.key]!, announcedAtMs: now() };
      else logger.error({ event: 'alert-failed', code: r.code }, `the failure alert was not delivered: ${r.reason}`);
    }
    const where = await saveMemory(config.stateFile, decision.memory);
    logger.info(
      { event: 'watchdog-done', announced: decision.announce, delivered, memory: where },
      decision.announce ? 'told on-call' : 'this cause was already told; counted',
    );
    return { announced: decision.announce, kind: failure.kind, cause: text, delivered };
  };
}

/** The failure handler's entry point (`index.watchdog`). */
export const watchdog = createWatchdog();
