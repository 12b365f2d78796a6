import type { AutoRefreshReport } from '../autorefresh/submit';
import type { Budget } from '../budget';
import type { Config } from '../config';
import type { Verdict } from '../decide/verdict';
import type { Notifier } from '../notify/notifier';
import type { AlertingPlan, Receiver } from '../policy/load';
import type { ActiveMute } from '../policy/mute';
import type { Runtime } from '../ports';
import type { ReadStatus } from '../read';
import type { RetryPolicy } from '../retry';
import type { StateStore } from '../state/file-store';
import type { RefreshTaskApi, RefreshWriteApi } from '../vod/client';

export interface MonitorDeps extends Runtime {
  readonly config: Config;
  readonly api: RefreshTaskApi;
  /** The refresh and preload calls, for AUTO_REFRESH=on. */
  readonly writer?: RefreshWriteApi;
  /** API calls made so far by `api`. */
  readonly apiCalls: () => number;
  readonly store: StateStore;
  /** Where alerts go: the alerting file's receivers and routes, or the single robot of the environment. */
  readonly alerting: AlertingPlan;
  /** The notifier of a receiver (one per receiver, each with its own rate limit and outbox). */
  readonly notifierOf: (receiver: Receiver) => Notifier;
  /** A problem with the alerting file the run must tell (it then falls back to the environment's robot). */
  readonly alertingProblem?: string | null;
  readonly budget: Budget;
  readonly retryPolicy?: RetryPolicy;
  /** The last cause the failure handler recorded, if any, for the "was blind" notice. */
  readonly lastFailureCause?: () => Promise<string | null>;
}

export interface RunOptions {
  /** Read and decide; send nothing, change no file, return the messages that would go out. */
  readonly dryRun: boolean;
  /** The timer event's triggerTime, to recognise a duplicated timer event; null for other runs (CLI, invoke). */
  readonly triggerTime: string | null;
}

/** What one run did; returned by the handler and logged as `run-report`. */
export interface RunReport {
  readonly status: 'ok' | 'degraded' | 'skipped' | 'duplicate' | 'failed';
  readonly dryRun: boolean;
  readonly reason?: string;
  readonly read: {
    readonly status: ReadStatus | 'none';
    readonly mode: string;
    /** Every range this run planned was settled. */
    readonly settled: boolean;
    /** Ranges left for later runs (this one ran out of time, or could not read). */
    readonly rangesPending: number;
    /** ISO time (UTC) up to which reads are planned: every row before it was read, or is in a pending range. */
    readonly frontier: string | null;
    readonly rows: number;
    readonly pendingExpected: number;
    readonly pendingFound: number;
    readonly lookups: number;
    readonly recoveryChecks: number;
    readonly recoveryChecksWaiting: number;
    /** `Throttling` answers; the run then slowed down to `ratePerSecond`. */
    readonly throttled: number;
    readonly ratePerSecond: number;
    readonly countMismatches: number;
    readonly error?: { readonly code: string; readonly message: string };
  };
  readonly verdicts: Record<Verdict, number>;
  readonly failures: { readonly new: number; readonly backlog: number };
  readonly stuck: number;
  readonly recovered: number;
  readonly alerts: {
    readonly messagesSent: number;
    readonly delivered: number;
    readonly pending: number;
    readonly uncertain: number;
    readonly dropped: number;
    /** The first receiver that stopped early, and why (the others went on); `refused`: its robot refuses every message. */
    readonly error?: { receiver?: string; code: string; reason: string; refused?: boolean };
    /** Per receiver, when the alerting file names several. */
    readonly receivers?: Record<string, { sent: number; delivered: number; stoppedBy: string | null }>;
  };
  readonly health: 'ok' | 'down';
  /** The VOD API's clock minus ours. */
  readonly clockSkewMs: number;
  readonly apiCalls: number;
  readonly durationMs: number;
  readonly state?: {
    readonly migratedFrom?: number;
    readonly reset?: string;
    /** The state's files could not be used where they belong: what failed (`op file: errno`). */
    readonly problems?: string[];
    /** The last save reached where the state belongs (false: only this instance's copy in /tmp). */
    readonly savedWhereItBelongs?: boolean;
  };
  /**
   * With ALERTING_CONFIG: the file's problems when it was refused (at most three; its alerts went to the environment's
   * robot, and the run is degraded), how many alerts mutes held back this run, and what each active mute holds so far.
   */
  readonly policy?: {
    readonly alertingProblem: string | null;
    readonly heldThisRun: number;
    readonly mutes: readonly ActiveMute[];
  };
  /** AUTO_REFRESH=on: what was re-submitted, and what was held and why. */
  readonly autoRefresh?: AutoRefreshReport;
  /** Dry runs only: the messages that would have been sent, and to which receiver. */
  readonly preview?: Array<{ receiver: string; title: string; text: string }>;
}
