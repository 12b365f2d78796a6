import { pruneReported } from '../decide/retention';
import type { MonitorState } from '../state/schema';
import type { Delivery } from './deliver-all';
import { record } from './outbox';
import type { MonitorDeps, RunOptions } from './types';

/**
 * What the robots confirmed leaves the outbox for the notification log; keys no read can meet again are let go past
 * the cap; what was given up is said in the log. Returns the state and how many alerts were dropped.
 */
export function recordStage(deps: MonitorDeps, state: MonitorState, delivery: Delivery, options: RunOptions): { state: MonitorState; dropped: number } {
  const recorded = record(state, delivery, deps.now());
  const kept = pruneReported(recorded.state);
  if (kept.pruned > 0)
    deps.logger.info(
      { event: 'reported-pruned', pruned: kept.pruned, floor: new Date(kept.state.reportedFloorMs!).toISOString() },
      'delivered keys of rows no run reads again were let go',
    );
  for (const key of recorded.unconfirmed)
    deps.logger.warn({ event: 'alert-unconfirmed', key }, 'an alert timed out twice; it counts as delivered (it may have arrived twice, or not at all)');
  for (const key of recorded.dropped)
    deps.logger.error({ event: 'alert-dropped', key }, 'an alert the robot refused three runs in a row was dropped; a notice says so');
  return { state: { ...kept.state, lastTrigger: options.triggerTime ?? kept.state.lastTrigger }, dropped: recorded.dropped.length };
}
