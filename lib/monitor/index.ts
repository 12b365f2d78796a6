import { applyPolicyStage, countRunStage, policyOnResubmitted } from './apply-policy';
import { decideStage } from './decide';
import { deliverStage, previewAll } from './deliver-all';
import { loadStage } from './load';
import { enqueue } from './outbox';
import { readStage } from './read';
import { recordStage } from './record';
import { assembleReport, reportWithoutRead, withRun } from './report';
import { resubmitStage } from './resubmit';
import { savesOf } from './saves';
import { skippedRun } from './skipped';
import type { MonitorDeps, RunOptions, RunReport } from './types';
import { unheard } from './unheard';

export { renderOptionsOf } from './deliver-all';
export type { MonitorDeps, RunOptions, RunReport } from './types';

/**
 * One monitoring pass, as its stages: lock -> load -> read (plan the ranges, read them, rows decided as they
 * arrive) -> decide (frontier, health, blind gaps) -> apply the alerting policy -> enqueue, and save before sending
 * -> re-submit (its events through the policy too) -> deliver -> record -> save (the run counted for the digest).
 * A crash at any point repeats an alert at worst; none is lost. A dry run takes no lock, changes no file and sends
 * nothing.
 */
export async function runMonitor(deps: MonitorDeps, options: RunOptions): Promise<RunReport> {
  const startedMs = deps.now();
  if (options.dryRun) return pass(deps, options, startedMs);
  const lock = await deps.store.lock(deps.budget.lockTtlMs, startedMs);
  if (!lock.held) return skippedRun(deps, options, lock.holder, startedMs);
  try {
    return await pass(deps, options, startedMs);
  } finally {
    await deps.store.unlock().catch(() => undefined);
  }
}

async function pass(deps: MonitorDeps, options: RunOptions, startedMs: number): Promise<RunReport> {
  const loaded = await loadStage(deps, options, startedMs);
  if (options.triggerTime && loaded.state.lastTrigger === options.triggerTime) {
    deps.logger.info({ event: 'run-skipped', reason: 'duplicate', triggerTime: options.triggerTime }, 'this timer event was already handled');
    const reason = `timer event ${options.triggerTime} was already handled`;
    return reportWithoutRead({ status: 'duplicate', reason, dryRun: options.dryRun, health: loaded.state.health.status, durationMs: deps.now() - startedMs });
  }
  const callsBefore = deps.apiCalls();
  const read = await readStage(deps, loaded.state);
  const decided = await decideStage(deps, loaded.state, read, startedMs);
  const policy = applyPolicyStage(deps, decided.state, decided.events, read);
  const queued = enqueue(policy.state, policy.events, deps.now());
  const parts = { loaded: loaded.report, read, decided: policy.decided, policy: policy.policy, startedMs };
  const stateIo = () => ({ problems: deps.store.problems ?? [], saved: deps.store.savedWhereItBelongs ?? true });
  if (options.dryRun) {
    const r = assembleReport(
      deps,
      queued,
      { ...parts, resubmitted: null, delivery: null, dropped: 0, stateIo: stateIo(), apiCalls: deps.apiCalls() - callsBefore },
      options,
    );
    return { ...r, preview: previewAll(deps, queued) };
  }
  const saves = savesOf(deps);
  const sending = await saves.beforeSending(queued, deps.now());
  const resubmitted = await resubmitStage(deps, sending, read, saves.beforeResubmitting);
  const more = policyOnResubmitted(deps, resubmitted.state, resubmitted.events, read, policy.policy);
  const toSend = enqueue(more.state, more.events, deps.now());
  const delivery = await deliverStage(deps, toSend, saves.caveat());
  const recorded = recordStage(deps, toSend, delivery, options);
  const whole = {
    ...parts,
    policy: more.policy,
    resubmitted: resubmitted.report,
    delivery,
    dropped: recorded.dropped,
    stateIo: stateIo(),
    apiCalls: deps.apiCalls() - callsBefore,
  };
  const report = assembleReport(deps, recorded.state, whole, options);
  // A run nobody could hear fails its invocation (./unheard): its timer event is not marked handled, so Function
  // Compute's retry runs again (and fails again) instead of passing as a duplicate, and the failure destination speaks.
  const ended = unheard(report) ? { ...recorded.state, lastTrigger: loaded.state.lastTrigger } : recorded.state;
  await saves.atTheEnd(countRunStage(deps, withRun(ended, report, startedMs), report, read));
  return report;
}
