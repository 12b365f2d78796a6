import type { RunReport } from '../monitor/types';

/** The parts of a run report that say whether the run was good. */
export type GoodRunFacts = Pick<RunReport, 'dryRun' | 'status' | 'reason'> & {
  readonly read: Pick<RunReport['read'], 'status' | 'error'>;
  readonly alerts: Pick<RunReport['alerts'], 'error'>;
};

/** Why a run was not good: it was a dry run, read nothing, found the API down, or could not deliver. */
export interface NotGood {
  readonly kind: 'dry-run' | 'nothing-read' | 'api-down' | 'undelivered';
  readonly why: string;
}

/**
 * Why a run was not a good run, or null when it was. A good run read the VOD API (completely or in part: a partial
 * read leaves the rest to the next run, which is normal) and could deliver (no robot stopped it). A dry run is never
 * one: it sends nothing, so it cannot show that on-call would be told, and a person trying the monitor must not
 * hide a timer that stopped. The one definition of "good run": the heartbeat, `status` and the digest use it.
 */
export function whyNotGood(r: GoodRunFacts): NotGood | null {
  if (r.dryRun) return { kind: 'dry-run', why: 'a dry run (it sends nothing)' };
  if (r.read.status === 'down')
    return { kind: 'api-down', why: `the VOD API could not be read${r.read.error ? ` (${r.read.error.code}: ${r.read.error.message})` : ''}` };
  if (r.read.status !== 'complete' && r.read.status !== 'partial') return { kind: 'nothing-read', why: r.reason ?? 'it read nothing' };
  const stopped = r.alerts.error;
  if (stopped)
    return { kind: 'undelivered', why: `the robot${stopped.receiver ? ` of ${stopped.receiver}` : ''} stopped delivery (${stopped.code}: ${stopped.reason})` };
  return null;
}

/** Whether a run read the API and could deliver (see whyNotGood). */
export function isGoodRun(r: GoodRunFacts): boolean {
  return whyNotGood(r) === null;
}
