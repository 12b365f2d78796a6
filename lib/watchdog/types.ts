import type { loadAlertConfig } from '../config';
import type { Clock } from '../ports';
import type { Heartbeat } from './heartbeat';
import type { MemoryHome, OutageMemory } from './memory';
import type { Teller } from './tell';

/** The alert variables (all the watchdog reads). */
export type AlertConfig = ReturnType<typeof loadAlertConfig>;

/** What the watchdog's core is handed: the alert config (or why it was refused), the adapters, the clock. */
export interface WatchdogDeps extends Teller {
  readonly config: AlertConfig | { readonly problem: string };
  readonly now: Clock;
  /** Redacts every secret of the environment and of the context's credentials, in every encoding. */
  readonly redact: (text: string) => string;
}

/** What the heartbeat shows the watchdog, for its report and for `status`. */
export interface HeartbeatView {
  readonly windowMs: number;
  readonly cadenceMs: number;
  readonly lastGoodMs: number | null;
  readonly lastRun: Heartbeat['lastRun'] | null;
  /** No good run within the window: the watchdog is raising (or would raise) an outage. */
  readonly outage: boolean;
  /** What "no good run since" counts from; null when not known (no good run seen, and no memory kept). */
  readonly sinceMs: number | null;
  /** Where the watchdog keeps its memory; `durable: false` with the file and the error when it cannot. */
  readonly memory: MemoryHome;
  /** The cause it sees, in words, and the fix; null while good runs happen. */
  readonly cause: { readonly kind: string; readonly text: string; readonly fix: string } | null;
  /** The outage it remembers, and when it told on-call. */
  readonly told: OutageMemory | null;
}

/** What one invocation of the watchdog did; it is also the function's return value. */
export interface WatchdogReport {
  readonly mode: 'failure' | 'timer' | 'status';
  /** It decided to tell on-call. */
  readonly announced: boolean;
  readonly delivered: boolean;
  /** The failure's kind, or the outage cause's kind, or `none`. */
  readonly kind: string;
  readonly cause: string;
  /** Why nobody could be told, when so. */
  readonly reason?: string;
  readonly heartbeat?: HeartbeatView;
}
