import * as v from 'valibot';
import { alertEventSchema, dict, taskFactsSchema } from '../events/schema';

export const STATE_VERSION = 2;

/** An unfinished row created before the frontier, watched until it ends. Keyed by RowKey. */
export const watchedRowSchema = v.object({
  task: taskFactsSchema,
  createdAtMs: v.number(),
  firstSeenMs: v.number(),
  /** When its status was last seen to change, or its window last listed for failures while catching up. */
  checkedAtMs: v.number(),
  /** When it was decided stuck (it is not looked up again: its later failure shows in the Failed listings). */
  stuckAtMs: v.optional(v.nullable(v.number()), null),
});

/** The latest failure on an ObjectPath, kept until a later Complete row on the same path is seen. Keyed by path. */
export const failedPathSchema = v.object({
  key: v.string(),
  taskId: v.string(),
  objectType: v.string(),
  createdAtMs: v.number(),
  description: v.nullable(v.string()),
  /** Up to when (API time) it is known that no later Complete row exists on the path. */
  checkedToMs: v.number(),
});

export const outboxEntrySchema = v.object({
  event: alertEventSchema,
  queuedAtMs: v.number(),
  /** Sends of this alert that timed out: the robot may have shown them. Capped at two in all (see README). */
  uncertain: v.number(),
  /** Runs in which the robot refused this alert even in its short form; dropped (and counted) after three. */
  refusals: v.number(),
});

/** A failed URL the monitor re-submits itself, by ObjectPath. */
const retryEntry = v.object({
  objectType: v.string(),
  /** The failure that made it due (TaskFacts of the failed row). */
  task: taskFactsSchema,
  attempts: v.number(),
  /** Not re-submitted before this (the configured delay after a failure). */
  nextAtMs: v.number(),
  /** Recorded just before a submission and cleared just after: a crash between counts as a submission. */
  intent: v.nullable(v.object({ atMs: v.number(), attempt: v.number() })),
  lastTaskId: v.nullable(v.string()),
  /** The last submission (or a call that may have been one): no new row for the URL within a limit calls a human. */
  submittedAtMs: v.optional(v.nullable(v.number()), null),
  /** Since when the API or the quota share has kept it from being submitted: past a limit a human takes over. */
  heldSinceMs: v.optional(v.nullable(v.number()), null),
  /** Why it was last held (the API's refusal code, or the quota share). */
  heldBy: v.optional(v.nullable(v.string()), null),
  /** Why it will not be re-submitted again (retries used up, domain offline...), or null while it may be. */
  stopped: v.nullable(v.string()),
});

const runRecord = v.object({
  atMs: v.number(),
  durationMs: v.number(),
  status: v.string(),
  apiCalls: v.number(),
  newFailures: v.number(),
  pendingAlerts: v.number(),
  readComplete: v.boolean(),
});

export const stateSchema = v.object({
  version: v.literal(STATE_VERSION),
  /** API time up to which ranges have been planned: every row created before it was read, or is in `pendingRanges`. */
  frontierMs: v.nullable(v.number()),
  /** A read has settled a range: first-run rules no longer apply. */
  scanned: v.boolean(),
  /** Failures created before this (and not watched) were counted on the first run, never listed. */
  backlogBeforeMs: v.nullable(v.number()),
  /** Ranges planned but not settled yet (a run ran out of time, or could not read), oldest first; later runs read them. */
  pendingRanges: v.array(
    v.object({
      startMs: v.number(),
      endMs: v.number(),
      /** Runs that ran out of time on it while it was kept whole (lib/read/plan.ts remainingRanges). */
      cutShort: v.optional(v.number(), 0),
    }),
  ),
  watching: dict(watchedRowSchema),
  failedPaths: dict(failedPathSchema),
  /** Every Complete row created in this interval was read: failed URLs checked to its start are checked to its end (lib/decide/coverage.ts). */
  recoveryCoverage: v.optional(v.nullable(v.object({ fromMs: v.number(), toMs: v.number() })), null),
  /** ObjectPath -> creation time of the Complete row that recovered it: failures before it are not followed again. */
  recoveredPaths: v.optional(dict(v.number()), {}),
  /** Delivered alert keys and when they may be forgotten (epoch ms). */
  reported: dict(v.number()),
  /** Task ids a v1 state reported without saying which URL; failed rows of them created before `legacyBeforeMs` count as reported. */
  legacyIds: dict(v.number()),
  legacyBeforeMs: v.nullable(v.number()),
  /** Alerts decided but not yet confirmed by the robot. */
  outbox: v.array(outboxEntrySchema),
  health: v.object({ status: v.picklist(['ok', 'down']), sinceMs: v.number(), code: v.nullable(v.string()), message: v.nullable(v.string()) }),
  /** When messages went to each receiver recently (epoch ms), for the client-side rate limit. */
  recentSends: dict(v.array(v.number())),
  /** The timer triggerTime of the last timer run that finished, to recognise a duplicated event. */
  lastTrigger: v.nullable(v.string()),
  /** Local time of the last run whose read completed: a later run finding it too old says how long it was blind. */
  lastOkMs: v.nullable(v.number()),
  /** The VOD API's clock minus ours, as last measured from its Date header. */
  skewMs: v.number(),
  /** Rows created per minute, as last measured, to choose the cheapest reads. */
  rowsPerMinute: v.nullable(v.number()),
  /** Runs in a row whose ranges left for later did not shrink (the monitor is not catching up), and their span. */
  stalled: v.optional(v.object({ runs: v.number(), spanMs: v.number() }), { runs: 0, spanMs: 0 }),
  /** A widened read from this start held more than a page: not tried again from the same start. */
  wideGaveUpFromMs: v.nullable(v.number()),
  /** Delivered keys of rows created before this were let go (lib/decide/retention.ts): no read may start earlier. */
  reportedFloorMs: v.optional(v.nullable(v.number()), null),
  /** When the store last saved it (lib/state/resilient-store.ts: of the two copies, the later is loaded). */
  savedAtMs: v.optional(v.nullable(v.number()), null),
  /** Set when begun afresh because the state where it belongs was unreadable: never replaces it (resilient-store). */
  begunWithoutMs: v.optional(v.nullable(v.number()), null),
  /** Since when the state cannot be read or written where it belongs, and how (null: it can). */
  stateIo: v.optional(v.nullable(v.object({ sinceMs: v.number(), op: v.picklist(['read', 'write', 'lock']), file: v.string(), errno: v.string() })), null),
  /** The last runs, newest last, for `status`. */
  runs: v.array(runRecord),
  /**
   * Reminders per failed path on-call was told of (the alerting file's `reminders`): how many, and when the interval
   * last began (API clock): the delivery of the failure's alert, the last reminder, or the last run that had an
   * automatic re-submission of the URL in flight.
   */
  reminders: dict(v.object({ count: v.number(), lastMs: v.number() })),
  /** Keys a mute held back (also in `reported`): told as a count, never one by one, so never reminded. Expiry as `reported`. */
  heldKeys: v.optional(dict(v.number()), {}),
  /** What each mute window held back so far, by mute name and receiver (`<mute>|<receiver>`). */
  muted: dict(
    v.object({
      receiver: v.string(),
      reason: v.nullable(v.string()),
      fromMs: v.number(),
      toMs: v.number(),
      count: v.number(),
      byKind: dict(v.number()),
      byDescription: dict(v.number()),
      byDomain: dict(v.number()),
      /** The configured end of the window it holds in (the mute's `until`, or the end of its weekly window), as last seen. */
      untilMs: v.optional(v.nullable(v.number()), null),
      /** `<objectType>|<domain>` -> the earliest creation time of a failure it held, for the commands that list them. */
      firstFailed: v.optional(dict(v.number()), {}),
    }),
  ),
  /** The alerting file the last run refused, and since when (its alerts went to the environment's robot); null: none. */
  alertingProblem: v.optional(v.nullable(v.object({ sinceMs: v.number(), problem: v.string() })), null),
  /**
   * What the next daily digest sums up (lib/policy/digest.ts), API clock: its period began at `sinceMs` (the end of the
   * last digest's period, or the first run with a digest configured; null while none is), `lastDay` is the day of the
   * last digest sent (UTC+8). Per receiver: failures (`reported` one by one, `muted`), re-submissions and outcomes.
   * Runs are counted once they end; `runsOk` are good runs (lib/decide/good-run.ts); `blindMs` the part of the period
   * in `gaps` between good runs longer than BLIND_AFTER_MINUTES, `longestGap` the longest of them.
   */
  daily: v.object({
    sinceMs: v.nullable(v.number()),
    lastDay: v.nullable(v.string()),
    receivers: dict(
      v.object({
        failures: dict(v.number()),
        urls: dict(v.number()),
        reported: v.optional(v.number(), 0),
        muted: v.optional(v.number(), 0),
        retried: v.number(),
        recovered: v.number(),
        failedAgain: v.number(),
      }),
    ),
    runs: v.number(),
    runsOk: v.number(),
    blindMs: v.number(),
    gaps: v.optional(v.number(), 0),
    longestGap: v.optional(v.nullable(v.object({ fromMs: v.number(), toMs: v.number() })), null),
    /** The last good run (API clock), whichever period it was in; before any, when counting began (null: not known). */
    lastGoodMs: v.optional(v.nullable(v.number()), null),
  }),
  /** Automatic re-submission: the URLs it handles and the quota it used today (a day runs from 00:00 UTC+8). */
  autoRefresh: v.object({
    day: v.string(),
    used: v.object({ url: v.number(), dir: v.number(), preload: v.number() }),
    retries: dict(retryEntry),
    /** The day on-call was last told that retries are paused (quota), so it is said once a day. */
    pausedNoticeDay: v.nullable(v.string()),
  }),
});

export type MonitorState = v.InferOutput<typeof stateSchema>;
export type OutboxEntry = v.InferOutput<typeof outboxEntrySchema>;
export type WatchedRow = MonitorState['watching'][string];
export type FailedPath = MonitorState['failedPaths'][string];
export type RunRecord = MonitorState['runs'][number];
export type RetryEntry = MonitorState['autoRefresh']['retries'][string];

/** How many run records the state keeps. */
export const RUNS_KEPT = 20;

/** The state of a monitor that has never run. */
export function emptyState(nowMs: number): MonitorState {
  return {
    version: STATE_VERSION,
    frontierMs: null,
    scanned: false,
    backlogBeforeMs: null,
    pendingRanges: [],
    watching: {},
    failedPaths: {},
    recoveredPaths: {},
    recoveryCoverage: null,
    reported: {},
    legacyIds: {},
    legacyBeforeMs: null,
    outbox: [],
    health: { status: 'ok', sinceMs: nowMs, code: null, message: null },
    recentSends: {},
    lastTrigger: null,
    lastOkMs: null,
    skewMs: 0,
    rowsPerMinute: null,
    wideGaveUpFromMs: null,
    reportedFloorMs: null,
    savedAtMs: null,
    begunWithoutMs: null,
    stateIo: null,
    stalled: { runs: 0, spanMs: 0 },
    runs: [],
    autoRefresh: { day: '', used: { url: 0, dir: 0, preload: 0 }, retries: {}, pausedNoticeDay: null },
    reminders: {},
    heldKeys: {},
    muted: {},
    alertingProblem: null,
    daily: { sinceMs: null, lastDay: null, receivers: {}, runs: 0, runsOk: 0, blindMs: 0, gaps: 0, longestGap: null, lastGoodMs: null },
  };
}

/**
 * The ledger part of the state (lib/state/file-store.ts keeps it in a file of its own), each a dictionary of one
 * entry schema: checked entry by entry in place (lib/state/conforms.ts), so a large state is never held twice in
 * memory while it is checked.
 */
export const LEDGER_ENTRIES = {
  reported: v.number(),
  heldKeys: v.number(),
  recoveredPaths: v.number(),
  watching: watchedRowSchema,
  failedPaths: failedPathSchema,
} as const;
