import * as v from 'valibot';

/** A string-keyed record; valibot's `record` alone would accept an array. */
export const dict = <T extends v.GenericSchema>(value: T) =>
  v.pipe(
    v.custom<Record<string, unknown>>((r) => typeof r === 'object' && r !== null && !Array.isArray(r), 'must be an object, not an array'),
    v.record(v.string(), value),
  );

/** What an alert says about one row: all of it came from the API, so all of it is untrusted text. */
export const taskFactsSchema = v.object({
  taskId: v.string(),
  objectPath: v.string(),
  objectType: v.string(),
  status: v.string(),
  description: v.nullable(v.string()),
  creationTime: v.nullable(v.string()),
  domain: v.string(),
});
export type TaskFacts = v.InferOutput<typeof taskFactsSchema>;

const counts = dict(v.number());

/**
 * One thing on-call must hear about, keyed so that it is delivered once. The schema is the single source of truth:
 * the state file is validated with it and the TypeScript type is inferred from it.
 */
export const alertEventSchema = v.variant('kind', [
  /** `retry`: when automatic re-submission is on, what it does or did about this URL. */
  v.object({
    kind: v.literal('failed'),
    key: v.string(),
    task: taskFactsSchema,
    retry: v.optional(v.object({ attempts: v.number(), next: v.picklist(['planned', 'none']), reason: v.optional(v.string()) })),
  }),
  v.object({ kind: v.literal('stuck'), key: v.string(), task: taskFactsSchema, ageMinutes: v.number() }),
  v.object({
    kind: v.literal('recovered'),
    key: v.string(),
    task: taskFactsSchema,
    failedTaskId: v.string(),
    failedDescription: v.nullable(v.string()),
    afterRetries: v.optional(v.number()),
  }),
  /** The monitor submitted a failed URL again itself (AUTO_REFRESH=on); `newTaskId` is the task to find it by. */
  v.object({ kind: v.literal('resubmitted'), key: v.string(), task: taskFactsSchema, newTaskId: v.string(), attempt: v.number(), maxAttempts: v.number() }),
  /** Failures before the first run's lookback: counted, not listed. `byDescription` is empty when only counts were read. */
  v.object({ kind: v.literal('backlog'), key: v.string(), count: v.number(), byDescription: counts, byType: counts, sinceMs: v.number(), untilMs: v.number() }),
  v.object({ kind: v.literal('health-down'), key: v.string(), code: v.string(), message: v.string(), sinceMs: v.number() }),
  v.object({ kind: v.literal('health-up'), key: v.string(), code: v.string(), downSinceMs: v.number() }),
  v.object({ kind: v.literal('state-reset'), key: v.string(), reason: v.string(), keptAt: v.string() }),
  /** The monitor did not run (or could not read) from `fromMs` to `toMs`. */
  v.object({ kind: v.literal('blind'), key: v.string(), fromMs: v.number(), toMs: v.number(), cause: v.nullable(v.string()) }),
  /** Something the monitor itself must tell: a limit reached, an alert that could not be delivered. Our own words only. */
  v.object({ kind: v.literal('notice'), key: v.string(), code: v.string(), message: v.string() }),
  /** A failed URL still not refreshed successfully, told again (the alerting file's `reminders`). */
  v.object({ kind: v.literal('reminder'), key: v.string(), task: taskFactsSchema, count: v.number(), max: v.number() }),
  /** What a mute window held back, told when it ended. */
  v.object({
    kind: v.literal('muted-summary'),
    key: v.string(),
    receiver: v.string(),
    mute: v.string(),
    reason: v.nullable(v.string()),
    fromMs: v.number(),
    toMs: v.number(),
    count: v.number(),
    byKind: counts,
    byDescription: counts,
    byDomain: counts,
    /** `<objectType>|<domain>` -> the earliest creation time of a failure it held: the commands that list them. */
    firstFailed: v.optional(counts),
  }),
  /** The daily digest of one receiver; it doubles as a heartbeat. */
  v.object({
    kind: v.literal('digest'),
    key: v.string(),
    receiver: v.string(),
    day: v.string(),
    fromMs: v.number(),
    toMs: v.number(),
    /** The period began when counting did (the first run with a digest), not at the end of a digest's period. */
    firstPeriod: v.optional(v.boolean()),
    failures: counts,
    /** Of the failures: told one by one, and held back by mutes. */
    told: v.optional(v.object({ reported: v.number(), muted: v.number() })),
    /** URLs that failed more than once, most first. */
    topUrls: v.array(v.object({ url: v.string(), count: v.number() })),
    account: v.nullable(v.object({ rows: v.number(), failed: v.number(), previousRows: v.number(), previousFailed: v.number() })),
    unresolved: v.number(),
    stuck: v.number(),
    retries: v.nullable(v.object({ submitted: v.number(), recovered: v.number(), failedAgain: v.number() })),
    /** Runs that ended in the period, the good ones, and the gaps between good runs longer than `blindAfterMs`. */
    runs: v.object({
      total: v.number(),
      ok: v.number(),
      blindMs: v.number(),
      gaps: v.optional(v.number()),
      longest: v.optional(v.nullable(v.object({ fromMs: v.number(), toMs: v.number() }))),
      blindAfterMs: v.optional(v.number()),
    }),
  }),
]);
export type AlertEvent = v.InferOutput<typeof alertEventSchema>;
export type AlertKind = AlertEvent['kind'];
export type EventOf<K extends AlertKind> = Extract<AlertEvent, { kind: K }>;
