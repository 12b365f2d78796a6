import { type AutoRefreshReport, runAutoRefresh } from '../autorefresh/submit';
import type { AlertEvent } from '../events/schema';
import { DEFAULT_RETRY } from '../retry';
import type { MonitorState } from '../state/schema';
import type { ReadStage } from './read';
import type { MonitorDeps } from './types';

/**
 * Re-submits the failed URLs that are due (AUTO_REFRESH=on), on the run's pacer and within its read deadline, the
 * intent of each call saved before it (`saveIntent`). Returns the state, the events it adds and its report; null
 * report when re-submission is off.
 */
export async function resubmitStage(
  deps: MonitorDeps,
  state: MonitorState,
  read: Pick<ReadStage, 'runPacer' | 'apiNowMs'>,
  saveIntent: (s: MonitorState) => Promise<void>,
): Promise<{ state: MonitorState; events: AlertEvent[]; report: AutoRefreshReport | null }> {
  if (!deps.config.autoRefresh.enabled || !deps.writer) return { state, events: [], report: null };
  return runAutoRefresh(
    {
      api: deps.writer,
      pacer: read.runPacer,
      retryPolicy: deps.retryPolicy ?? DEFAULT_RETRY,
      deadlineMs: deps.budget.readUntilMs,
      settings: deps.config.autoRefresh,
      save: saveIntent,
      now: deps.now,
      sleep: deps.sleep,
      random: deps.random,
      logger: deps.logger,
    },
    state,
    read.apiNowMs,
  );
}
