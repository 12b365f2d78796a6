import type { Config } from '../config';
import { type DeliveryResult, deliver } from '../notify/deliver';
import { type RenderOptions, renderMessages } from '../notify/render';
import type { Receiver } from '../policy/load';
import { routeOf } from '../policy/route';
import { DEFAULT_RETRY } from '../retry';
import type { MonitorState, OutboxEntry } from '../state/schema';
import type { MonitorDeps } from './types';

/** The render options of a receiver. */
export function renderOptionsOf(alert: Config['alert'], config: Config, maxBodyBytes: number, caveat: string | null = null): RenderOptions {
  return {
    ...(caveat ? { caveat } : {}),
    monitorName: alert.monitorName,
    keywords: alert.keywords,
    mentions: { atMobiles: alert.atMobiles, atUserIds: alert.atUserIds, atAllMinFailures: alert.atAllMinFailures },
    maxBodyBytes,
    failureHint: alert.hint,
    stuckAfterMinutes: Math.round(config.stuckAfterMs / 60_000),
  };
}

/** Every receiver's delivery, merged: keys confirmed anywhere, send times per receiver, the first stop. */
export interface Delivery extends Omit<DeliveryResult, 'recentSends' | 'stoppedBy'> {
  readonly recentSends: Record<string, number[]>;
  readonly stoppedBy: { readonly receiver: string; readonly code: string; readonly reason: string; readonly refused: boolean } | null;
  readonly receivers: Record<string, { sent: number; delivered: number; stoppedBy: string | null }>;
}

/** The outbox split by receiver (routes decide at delivery time, so a changed alerting file applies to what waits). */
export function byReceiver(outbox: readonly OutboxEntry[], deps: Pick<MonitorDeps, 'alerting'>): Map<Receiver, OutboxEntry[]> {
  const groups = new Map<Receiver, OutboxEntry[]>();
  for (const entry of outbox) {
    const r = deps.alerting.receivers.get(routeOf(entry.event, deps.alerting)) ?? deps.alerting.receivers.get(deps.alerting.defaultReceiver)!;
    const group = groups.get(r);
    if (group) group.push(entry);
    else groups.set(r, [entry]);
  }
  return groups;
}

/** What each receiver would get, for a dry run. */
export function previewAll(deps: MonitorDeps, state: MonitorState): Array<{ receiver: string; title: string; text: string }> {
  return [...byReceiver(state.outbox, deps)].flatMap(([r, entries]) => {
    const notifier = deps.notifierOf(r);
    return renderMessages(
      entries.map((e) => e.event),
      renderOptionsOf(r.alert, deps.config, notifier.maxBodyBytes),
      (m) => notifier.measure(m),
    ).map((m) => ({ receiver: r.name, title: m.title, text: m.text }));
  });
}

/**
 * Sends each receiver its share of the outbox, all at once: a robot that is down or throttled holds back only its
 * own alerts. `caveat` is a line every message carries (the state cannot be saved: repeats are possible).
 */
export async function deliverStage(deps: MonitorDeps, state: MonitorState, caveat: string | null = null): Promise<Delivery> {
  const groups = [...byReceiver(state.outbox, deps)];
  const settled = await Promise.allSettled(
    groups.map(async ([r, entries]) => {
      const notifier = deps.notifierOf(r);
      const logger = deps.logger.child({ receiver: r.name });
      const result = await deliver(entries, state.recentSends[r.name] ?? [], {
        notifier,
        logger,
        now: deps.now,
        sleep: deps.sleep,
        random: deps.random,
        deadlineMs: deps.budget.deliverUntilMs,
        retryPolicy: deps.retryPolicy ?? DEFAULT_RETRY,
        maxPerMinute: r.alert.maxPerMinute,
        sendTimeoutMs: r.alert.timeoutMs,
        renderOptions: renderOptionsOf(r.alert, deps.config, notifier.maxBodyBytes, caveat),
      });
      return [r.name, result] as const;
    }),
  );
  // A receiver whose delivery threw (a bug) keeps its alerts waiting; what the others delivered is still recorded.
  const results = settled.flatMap((s, i) => {
    if (s.status === 'fulfilled') return [s.value];
    deps.logger.error({ event: 'delivery-failed', receiver: groups[i]![0].name, err: s.reason }, 'delivering to a receiver failed; its alerts wait');
    return [];
  });
  return merge(results);
}

/** Every receiver's delivery as one: keys confirmed anywhere, send times per receiver, the first that stopped (a refusing one first). */
function merge(results: ReadonlyArray<readonly [string, DeliveryResult]>): Delivery {
  const delivered = new Set<string>();
  const shortened = new Set<string>();
  const uncertain = new Set<string>();
  const refused = new Map<string, string>();
  const recentSends: Record<string, number[]> = {};
  const receivers: Delivery['receivers'] = {};
  let sent = 0;
  let stoppedBy: Delivery['stoppedBy'] = null;
  for (const [name, r] of results) {
    for (const k of r.delivered) delivered.add(k);
    for (const k of r.shortened) shortened.add(k);
    for (const k of r.uncertain) uncertain.add(k);
    for (const [k, c] of r.refused) refused.set(k, c);
    recentSends[name] = r.recentSends;
    receivers[name] = { sent: r.sent, delivered: r.delivered.size, stoppedBy: r.stoppedBy?.code ?? null };
    sent += r.sent;
    // A channel that refuses everything outranks a run out of time: it is the one a human must fix.
    if (r.stoppedBy && (!stoppedBy || (r.stoppedBy.refused && !stoppedBy.refused))) stoppedBy = { receiver: name, ...r.stoppedBy };
  }
  return { delivered, shortened, uncertain, refused, sent, recentSends, stoppedBy, receivers };
}
