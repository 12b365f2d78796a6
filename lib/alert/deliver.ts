import { retry, type RetryPolicy } from '../retry';
import type { Runtime } from '../ports';
import type { Notifier, SendResult } from './notifier';
import type { RenderedMessage } from './render';

export interface DeliveryDeps extends Runtime {
  readonly notifier: Notifier;
  readonly deadlineMs: number;
  readonly retryPolicy: RetryPolicy;
  /** Client-side limit per robot; DingTalk allows 20 a minute. */
  readonly maxPerMinute: number;
}

export interface DeliveryResult {
  /** Alert keys the robot confirmed (errcode 0). */
  readonly delivered: Set<string>;
  readonly sent: number;
  /** Send times of the last minute, the new ones included. */
  readonly recentSends: number[];
  /** Why delivery stopped early, if it did. */
  readonly stoppedBy: { readonly code: string; readonly reason: string } | null;
}

class SendFailure extends Error {
  constructor(readonly result: Extract<SendResult, { ok: false }>) {
    super(result.reason);
  }
}

/**
 * Sends messages in order and records as delivered only what the robot confirmed. Rate-limited or refused:
 * stop, and leave the rest for the next run. Busy, 5xx or timed out: retry with backoff inside the deadline.
 */
export async function deliver(messages: readonly RenderedMessage[], recentSends: readonly number[], deps: DeliveryDeps): Promise<DeliveryResult> {
  const delivered = new Set<string>();
  let recent = recentSends.filter((t) => deps.now() - t < 60_000);
  let sent = 0;
  for (const message of messages) {
    recent = recent.filter((t) => deps.now() - t < 60_000);
    if (recent.length >= deps.maxPerMinute) {
      const stoppedBy = { code: 'client-rate-limit', reason: `${deps.maxPerMinute} messages were sent in the last minute; the rest wait for the next run` };
      deps.logger.warn({ event: 'alert-deferred', channel: deps.notifier.channel, ...stoppedBy, pending: messages.length - sent }, stoppedBy.reason);
      return { delivered, sent, recentSends: recent, stoppedBy };
    }
    try {
      await retry(
        async () => {
          const r = await deps.notifier.send(message);
          recent.push(deps.now());
          if (!r.ok) throw new SendFailure(r);
        },
        deps.retryPolicy,
        {
          now: deps.now,
          sleep: deps.sleep,
          random: deps.random,
          deadlineMs: deps.deadlineMs,
          isRetryable: (err) => err instanceof SendFailure && err.result.kind === 'retryable',
          onRetry: (err, attempt, delayMs) =>
            deps.logger.warn({ event: 'alert-retry', channel: deps.notifier.channel, attempt, delayMs, code: (err as SendFailure).result.code }, (err as SendFailure).result.reason),
        },
      );
    } catch (err) {
      if (!(err instanceof SendFailure)) throw err;
      const { code, reason, kind } = err.result;
      deps.logger.error({ event: 'alert-failed', channel: deps.notifier.channel, code, kind, pending: messages.length - sent }, `alert not delivered: ${reason}`);
      return { delivered, sent, recentSends: recent, stoppedBy: { code, reason } };
    }
    sent++;
    for (const k of message.keys) delivered.add(k);
    deps.logger.info({ event: 'alert-sent', channel: deps.notifier.channel, title: message.title, alerts: message.keys.length, unlisted: message.unlisted }, 'alert delivered');
  }
  return { delivered, sent, recentSends: recent, stoppedBy: null };
}
