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
  /** Why delivery stopped early, if it did; `refused`: the channel refuses every message until a human fixes it. */
  readonly stoppedBy: { readonly code: string; readonly reason: string; readonly refused: boolean } | null;
}

type Item = { message: RenderedMessage; events: AlertEvent[]; short: boolean };
type Tally = { delivered: Set<string>; shortened: Set<string>; uncertain: Set<string>; refused: Map<string, string>; sent: number };
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
  const out: Tally = { delivered: new Set(), shortened: new Set(), uncertain: new Set(), refused: new Map(), sent: 0 };
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
  const stop = (code: string, reason: string, level: 'warn' | 'error' = 'warn', refused = false) => {
    logger[level]({ event: level === 'warn' ? 'alert-deferred' : 'alert-failed', channel: notifier.channel, code, pending: queue.length + 1 }, reason);
    return { ...out, recentSends: recent, stoppedBy: { code, reason, refused } };
  };
  while (queue.length > 0) {
    const item = queue.shift()!;
    recent = recent.filter((t) => deps.now() - t < 60_000);
    if (recent.length >= deps.maxPerMinute)
      return stop('client-rate-limit', `${deps.maxPerMinute} messages were sent in the last minute; the rest wait for the next run`);
    if (deps.deadlineMs - deps.now() < MIN_SEND_MS) return stop('deadline', 'the run is out of time to send; the rest wait for the next run');
    const result = await send(item.message, deps, () => recent.push(deps.now()));
    if (result.ok) {
      recordSent(item, out, deps);
      continue;
    }
    if (result.kind === 'timeout') {
      for (const k of item.message.keys) out.uncertain.add(k);
      return stop('timeout', `${result.reason}; not sent again in this run`);
    }
    if (result.kind !== 'content') return stop(result.code, `alert not delivered: ${result.reason}`, 'error', result.kind === 'config');
    queue.unshift(...afterRefusal(item, result.code, out, deps, render));
  }
  return { ...out, recentSends: recent, stoppedBy: null };
}

/** Records a message the robot confirmed: its keys delivered, one log line per alert and one for the message. */
function recordSent(item: Item, out: Tally, deps: DeliveryDeps): void {
  const { logger, notifier } = deps;
  out.sent++;
  for (const k of item.message.keys) {
    out.delivered.add(k);
    if (item.short) out.shortened.add(k);
  }
  for (const e of item.events) logger.info(deliveredFields(e, notifier.channel, item.short), `${e.kind} alert delivered`);
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
}

/**
 * What to send after the robot refused a message for its content: its halves, or the lone alert in short form; an
 * alert refused even in short form is counted as refused, and nothing is sent again for it.
 */
function afterRefusal(item: Item, code: string, out: Tally, deps: DeliveryDeps, render: (events: AlertEvent[]) => Item[]): Item[] {
  const { logger, notifier } = deps;
  if (item.events.length > 1) {
    const half = Math.ceil(item.events.length / 2);
    logger.warn(
      { event: 'alert-split', channel: notifier.channel, code, alerts: item.events.length },
      'the robot refused a message for its content; sending it in halves to find the alert it refuses',
    );
    return [...render(item.events.slice(0, half)), ...render(item.events.slice(half))];
  }
  if (!item.short) return [{ message: renderMinimal(item.events[0]!, deps.renderOptions, code), events: item.events, short: true }];
  out.refused.set(item.message.keys[0]!, code);
  logger.error({ event: 'alert-refused', channel: notifier.channel, code, key: item.message.keys[0] }, 'the robot refused an alert even in short form');
  return [];
}

/**
 * The log fields of one delivered alert, so that the logs answer "was on-call told about task 700000084, and when?":
 * its key and kind, and for a row its task id, URL, type, domain and Description (a URL is no secret; the webhook is,
 * and the redactor still masks a signed query). The receiver and the run's request id come from the logger's
 * bindings, never repeated here: a JSON line holds each key once.
 */
export function deliveredFields(e: AlertEvent, channel: string, short: boolean): Record<string, unknown> {
  const fields: Record<string, unknown> = { event: 'alert-delivered', channel, key: e.key, kind: e.kind };
  if ('task' in e) {
    Object.assign(fields, {
      taskId: e.task.taskId,
      url: e.task.objectPath,
      objectType: e.task.objectType,
      domain: e.task.domain,
      description: e.task.description,
    });
  }
  if (e.kind === 'resubmitted') fields.newTaskId = e.newTaskId;
  if (e.kind === 'recovered') fields.failedTaskId = e.failedTaskId;
  if (e.kind === 'notice' || e.kind === 'health-down' || e.kind === 'health-up') fields.code = e.code;
  if (short) fields.short = true;
  return fields;
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
