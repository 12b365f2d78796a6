import { noticeKey } from '../events/keys';
import type { LockHolder } from '../state/lock';
import { localTime } from '../time';
import { Alarms } from './alarms';
import { reportWithoutRead } from './report';
import { tellNow } from './tell-now';
import type { MonitorDeps, RunOptions, RunReport } from './types';

/**
 * A run that found the lock held by another run. Usually the other run is simply still running; but a lock held
 * longer than any run of this monitor can live (a run elsewhere, a clock far off) keeps every run skipped, and the
 * run says so, once per such lock — never only in the log.
 */
export async function skippedRun(deps: MonitorDeps, options: RunOptions, holder: LockHolder, startedMs: number): Promise<RunReport> {
  const since = holder.acquiredAtMs ?? null;
  const wedged = since !== null && startedMs - since > deps.budget.lockTtlMs;
  deps.logger[wedged ? 'error' : 'warn'](
    { event: 'run-skipped', reason: 'locked', holder, heldForMs: since === null ? null : startedMs - since },
    wedged ? 'the state lock is held for longer than a run can take: runs are skipped' : 'another run holds the state lock; this run does nothing',
  );
  let sent = 0;
  if (wedged) {
    const key = noticeKey(`lock-held:${since}`, { once: true });
    const alarms = new Alarms(deps.store.location);
    if (!(await alarms.told(key))) {
      const message = `Every run is skipped: the state lock ${deps.store.location}.lock has been held since ${localTime(since)} by ${holder.host ?? 'an unknown host'} (pid ${holder.pid ?? '?'}), longer than a run can take, and it claims to last until ${holder.expiresAtMs ? localTime(holder.expiresAtMs) : 'an unknown time'}. If no monitor run (or \`npx vod-refresh-monitor run\`) is running anywhere, delete that file; the next run takes over.`;
      if (await tellNow(deps, { kind: 'notice', key, code: 'LockHeld', message })) {
        await alarms.tell(key, startedMs);
        sent = 1;
      }
    }
  }
  const reason = wedged ? `the state lock is held since ${localTime(since)} by ${holder.host ?? 'an unknown host'}` : 'another run holds the state lock';
  return reportWithoutRead({ status: 'skipped', reason, dryRun: options.dryRun, health: 'ok', durationMs: deps.now() - startedMs, sent });
}
