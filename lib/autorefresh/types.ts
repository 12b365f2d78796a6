import type { Runtime } from '../ports';
import type { RetryPolicy } from '../retry';
import type { MonitorState } from '../state/schema';
import type { RefreshWriteApi } from '../vod/client';
import type { Pacer } from '../vod/pacer';
import type { AutoRefreshSettings } from './plan';

export interface AutoRefreshDeps extends Runtime {
  readonly api: RefreshWriteApi;
  /** The run's pacer: re-submissions share the rate and the read deadline with the reads. */
  readonly pacer: Pacer;
  readonly retryPolicy: RetryPolicy;
  readonly deadlineMs: number;
  readonly settings: AutoRefreshSettings;
  /** Saves the state (the intent of a submission is on disk before the submission is made). */
  readonly save: (state: MonitorState) => Promise<void>;
}

/** What automatic re-submission did this run, for the report. */
export interface AutoRefreshReport {
  readonly due: number;
  readonly submitted: number;
  readonly calls: number;
  /** Why some URLs were not submitted: quota share spent, quota exhausted, preload queue full... */
  readonly held: string[];
}
