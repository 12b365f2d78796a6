import { coldFailureTold } from './cold';
import { decideAnnouncement, parseFailure } from './failure';
import { readHeartbeat } from './heartbeat';
import { openMemory, saveMemory } from './memory';
import { failureMessage } from './messages';
import { tell } from './tell';
import type { WatchdogDeps, WatchdogReport } from './types';

/** The report when the alert variables themselves were refused: the log is the only place left to say it. */
export function cannotTell(deps: WatchdogDeps, base: Omit<WatchdogReport, 'announced' | 'delivered'>, problem: string): WatchdogReport {
  deps.logger.error({ event: 'watchdog-cannot-alert', problem }, 'the alert channel itself is misconfigured; nobody can be told');
  return { ...base, announced: false, delivered: false, reason: problem };
}

/**
 * A monitor run Function Compute gave up on (the onFailure destination): told once per cause per outage, with the
 * fix for its kind. Whatever arrived is understood as well as it can be; an event that says nothing is told as
 * "an unrecognised failure event" and logged as received (redacted).
 */
export async function onFailure(deps: WatchdogDeps, event: unknown): Promise<WatchdogReport> {
  const nowMs = deps.now();
  const failure = parseFailure(event, nowMs, deps.redact);
  deps.logger.error(
    {
      event: 'monitor-run-failed',
      kind: failure.kind,
      cause: failure.text,
      condition: failure.condition,
      failedRequestId: failure.requestId,
      attempts: failure.attempts,
    },
    'a monitor run failed for good',
  );
  if (!failure.recognised)
    deps.logger.warn(
      { event: 'watchdog-event', received: failure.raw },
      'the failure event did not say what failed; here it is as received (redacted, first 2 KB)',
    );
  const base = { mode: 'failure', kind: failure.kind, cause: failure.text } as const;
  if ('problem' in deps.config) return cannotTell(deps, base, deps.config.problem);
  const config = deps.config;
  const { memory, home } = await openMemory(config.stateFile);
  const { heartbeat } = await readHeartbeat(config.stateFile);
  const decision = decideAnnouncement(memory, failure, heartbeat?.lastGoodMs ?? null, nowMs);
  // Without a memory it can keep, from durable facts: the failed run's tick against the heartbeat's last good run.
  const announce = home.durable ? decision.announce : coldFailureTold(heartbeat?.lastGoodMs ?? null, failure.triggeredAtMs ?? failure.atMs, config.cadenceMs);
  const message = deps.redact(failureMessage(failure, home));
  const delivered = announce && (await tell(deps, config, { topic: `run-failed:${decision.key}`, atMs: nowMs, code: 'RunFailed', message }));
  const cause = decision.causes[decision.key]!;
  const causes = delivered ? { ...decision.causes, [decision.key]: { ...cause, announcedAtMs: deps.now() } } : decision.causes;
  const where = await saveMemory(config.stateFile, { ...memory, causes });
  deps.logger.info(
    { event: 'watchdog-done', announced: announce, delivered, memory: where, memoryDurable: home.durable },
    announce
      ? delivered
        ? 'told on-call'
        : 'could not tell on-call; the next failure of this cause tries again'
      : home.durable
        ? 'this cause was already told; counted'
        : 'not the first failed run after a good one, and the watchdog cannot keep its memory: counted, not told',
  );
  return { ...base, announced: announce, delivered };
}
