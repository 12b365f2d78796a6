import type { AlertEvent } from '../events/schema';
import type { Runtime } from '../ports';
import { type RetryPolicy, retry } from '../retry';
import type { OutboxEntry } from '../state/schema';
import type { Notifier, SendResult } from './notifier';
import { type RenderedMessage, type RenderOptions, renderMessages, renderMinimal } from './render';

/** A send is not started with less time than this before the delivery deadline. */
export const MIN_SEND_MS = 1000;

export interface DeliveryDeps extends Runtime {
  readonly notifier: Notifier;
  /** No send may still be running after this (epoch ms). */
  readonly deadlineMs: number;
  readonly retryPolicy: RetryPolicy;
  /** Client-side limit per robot; DingTalk allows 20 a minute. */
  readonly maxPerMinute: number;
  /** The longest one send may take (ALERT_TIMEOUT_MS); shortened to what is left before the deadline. */
  readonly sendTimeoutMs: number;
  readonly renderOptions: RenderOptions;
}

export interface DeliveryResult {
  /** Alert keys the robot confirmed (errcode 0). */
  readonly delivered: Set<string>;
  /** Of those, the ones delivered only in short form (their full text was refused). */
  readonly shortened: Set<string>;
  /** Keys whose send timed out: they may have arrived, so they are not sent again this run. */
  readonly uncertain: Set<string>;
  /** Keys the robot refused even in short form this run, with the errcode. */
  readonly refused: Map<string, string>;
  readonly sent: number;
  /** Send times of the last minute, the new ones included. */
  readonly recentSends: number[];
  /** Why delivery stopped early, if it did. */
  readonly stoppedBy: { readonly code: string; readonly reason: string } | null;
}

type Item = { message: RenderedMessage; events: AlertEvent[]; short: boolean };
type Failure = Extract<SendResult, { ok: false }>;

class SendFailure extends Error {
  constructor(readonly result: Failure) {
    super(result.reason);
  }
}

/**
 * Sends the outbox in as few messages as fit and records as delivered only what the robot confirmed. A message
 * refused for its content is split in halves until the refused alert stands alone; that one goes out in a short
 * form of our own words, or is counted as refused — it never blocks the others. A timeout is not sent again in the
 * same run (it may have arrived). Busy or 5xx: retried with backoff. Rate-limited, refused by the robot's settings,
 * or out of time: stop, the rest waits in the outbox. No send starts unless it can end before the deadline.
 */
export async function deliver(entries: readonly OutboxEntry[], recentSends: readonly number[], deps: DeliveryDeps): Promise<DeliveryResult> {
  const { notifier, logger } = deps;
  const out = { delivered: new Set<string>(), shortened: new Set<string>(), uncertain: new Set<string>(), refused: new Map<string, string>(), sent: 0 };
  let recent = recentSends.filter((t) => deps.now() - t < 60_000);
  const repeats = new Set(entries.filter((e) => e.uncertain > 0).map((e) => e.event.key));
  const render = (events: AlertEvent[]): Item[] => {
    const byKey = new Map(events.map((e) => [e.key, e]));
    return renderMessages(events, deps.renderOptions, (m) => notifier.measure(m), repeats).map((message) => ({
      message,
      events: message.keys.map((k) => byKey.get(k)!),
      short: false,
    }));
  };
  const queue = render(entries.map((e) => e.event));
  const stop = (code: string, reason: string, level: 'warn' | 'error' = 'warn') => {
    logger[level]({ event: level === 'warn' ? 'alert-deferred' : 'alert-failed', channel: notifier.channel, code, pending: queue.length + 1 }, reason);
    return { ...out, recentSends: recent, stoppedBy: { code, reason } };
  };
  while (queue.length > 0) {
    const item = queue.shift()!;
    recent = recent.filter((t) => deps.now() - t < 60_000);
    if (recent.length >= deps.maxPerMinute)
      return stop('client-rate-limit', `${deps.maxPerMinute} messages were sent in the last minute; the rest wait for the next run`);
    if (deps.deadlineMs - deps.now() < MIN_SEND_MS) return stop('deadline', 'the run is out of time to send; the rest wait for the next run');
    const result = await send(item.message, deps, () => recent.push(deps.now()));
    if (result.ok) {
      out.sent++;
      for (const k of item.message.keys) {
        out.delivered.add(k);
        if (item.short) out.shortened.add(k);
      }
      logger.info(
        {
          event: 'alert-sent',
          channel: notifier.channel,
          title: item.message.title,
          alerts: item.message.keys.length,
          unlisted: item.message.unlisted,
          short: item.short,
        },
        'alert delivered',
      );
      continue;
    }
    if (result.kind === 'timeout') {
      for (const k of item.message.keys) out.uncertain.add(k);
      return stop('timeout', `${result.reason}; not sent again in this run`);
    }
    if (result.kind !== 'content') return stop(result.code, `alert not delivered: ${result.reason}`, 'error');
    if (item.events.length > 1) {
      const half = Math.ceil(item.events.length / 2);
      logger.warn(
        { event: 'alert-split', channel: notifier.channel, code: result.code, alerts: item.events.length },
        'the robot refused a message for its content; sending it in halves to find the alert it refuses',
      );
      queue.unshift(...render(item.events.slice(0, half)), ...render(item.events.slice(half)));
    } else if (!item.short) {
      queue.unshift({ message: renderMinimal(item.events[0]!, deps.renderOptions, result.code), events: item.events, short: true });
    } else {
      out.refused.set(item.message.keys[0]!, result.code);
      logger.error(
        { event: 'alert-refused', channel: notifier.channel, code: result.code, key: item.message.keys[0] },
        'the robot refused an alert even in short form',
      );
    }
  }
  return { ...out, recentSends: recent, stoppedBy: null };
}

/** One message, retried while the robot is busy or failing, within the deadline. */
async function send(message: RenderedMessage, deps: DeliveryDeps, onAttempt: () => void): Promise<SendResult> {
  try {
    await retry(
      async () => {
        const left = deps.deadlineMs - deps.now();
        if (left < MIN_SEND_MS) throw new SendFailure({ ok: false, kind: 'retryable', code: 'deadline', reason: 'out of time to send' });
        const r = await deps.notifier.send(message, Math.min(deps.sendTimeoutMs, left));
        onAttempt();
        if (!r.ok) throw new SendFailure(r);
      },
      deps.retryPolicy,
      {
        now: deps.now,
        sleep: deps.sleep,
        random: deps.random,
        deadlineMs: deps.deadlineMs - MIN_SEND_MS,
        isRetryable: (err) => err instanceof SendFailure && err.result.kind === 'retryable' && err.result.code !== 'deadline',
        onRetry: (err, attempt, delayMs) =>
          deps.logger.warn(
            { event: 'alert-retry', channel: deps.notifier.channel, attempt, delayMs, code: (err as SendFailure).result.code },
            (err as SendFailure).result.reason,
          ),
      },
    );
    return { ok: true };
  } catch (err) {
    if (err instanceof SendFailure) return err.result;
    throw err;
  }
}
