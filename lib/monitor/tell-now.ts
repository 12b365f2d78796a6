import type { AlertEvent } from '../events/schema';
import { renderMessages } from '../notify/render';
import { renderOptionsOf } from './deliver-all';
import type { MonitorDeps } from './types';

/**
 * Sends one event to the default receiver at once, outside the outbox: for what a run must tell when it cannot keep
 * an outbox (it does not hold the state). Returns whether the robot confirmed it.
 */
export async function tellNow(deps: MonitorDeps, event: AlertEvent): Promise<boolean> {
  const receiver = deps.alerting.receivers.get(deps.alerting.defaultReceiver)!;
  const notifier = deps.notifierOf(receiver);
  const [m] = renderMessages([event], renderOptionsOf(receiver.alert, deps.config, notifier.maxBodyBytes), (x) => notifier.measure(x));
  const r = await notifier.send(m!, Math.max(1000, Math.min(receiver.alert.timeoutMs, deps.budget.deliverUntilMs - deps.now())));
  if (!r.ok) deps.logger.error({ event: 'alert-failed', code: r.code }, `a notice sent outside the outbox was not delivered: ${r.reason}`);
  return r.ok;
}
