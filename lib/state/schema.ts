import * as v from 'valibot';
import type { AlertEvent } from '../alert/model';

export const STATE_VERSION = 1;

/** A string-keyed record; valibot's `record` alone would accept an array. */
const dict = <T extends v.GenericSchema>(value: T) =>
  v.pipe(
    v.custom<Record<string, unknown>>((r) => typeof r === 'object' && r !== null && !Array.isArray(r), 'must be an object, not an array'),
    v.record(v.string(), value),
  );

const taskFacts = v.object({
  taskId: v.string(),
  objectPath: v.string(),
  objectType: v.string(),
  status: v.string(),
  description: v.nullable(v.string()),
  creationTime: v.nullable(v.string()),
  domain: v.string(),
});

const alertEvent = v.variant('kind', [
  v.object({ kind: v.literal('failed'), key: v.string(), task: taskFacts }),
  v.object({ kind: v.literal('stuck'), key: v.string(), task: taskFacts, ageMinutes: v.number() }),
  v.object({ kind: v.literal('recovered'), key: v.string(), task: taskFacts, failedTaskId: v.string(), failedDescription: v.nullable(v.string()) }),
  v.object({ kind: v.literal('backlog'), key: v.string(), count: v.number(), byDescription: dict(v.number()), sinceMs: v.number(), untilMs: v.number() }),
  v.object({ kind: v.literal('health-down'), key: v.string(), code: v.string(), message: v.string(), sinceMs: v.number() }),
  v.object({ kind: v.literal('health-up'), key: v.string(), code: v.string(), downSinceMs: v.number() }),
  v.object({ kind: v.literal('state-reset'), key: v.string(), reason: v.string(), keptAt: v.string() }),
]);

const watched = v.object({ task: taskFacts, createdAtMs: v.number() });

const stateSchema = v.object({
  version: v.literal(STATE_VERSION),
  /** End of the last complete scan, epoch ms. */
  watermarkMs: v.nullable(v.number()),
  /** Delivered alert keys and when they may be forgotten (epoch ms). */
  reported: dict(v.number()),
  /** Unfinished tasks still being watched, by TaskId. */
  watching: dict(watched),
  /** The latest failure of each ObjectPath, for recovery. */
  failedPaths: dict(v.object({ taskId: v.string(), createdAtMs: v.number(), description: v.nullable(v.string()) })),
  /** Alerts decided but not yet confirmed by the robot. */
  outbox: v.array(v.object({ event: alertEvent, queuedAtMs: v.number() })),
  health: v.object({ status: v.picklist(['ok', 'down']), sinceMs: v.number(), code: v.nullable(v.string()), message: v.nullable(v.string()) }),
  /** When messages went to the robot recently (epoch ms), for the client-side rate limit. */
  recentSends: v.array(v.number()),
  /** The timer triggerTime of the last run that finished, to recognise a duplicated event. */
  lastTrigger: v.nullable(v.string()),
  lastRun: v.nullable(v.object({ atMs: v.number(), complete: v.boolean(), apiCalls: v.number() })),
});

export type MonitorState = v.InferOutput<typeof stateSchema>;
export type OutboxEntry = { event: AlertEvent; queuedAtMs: number };

/** The state of a monitor that has never run. */
export function emptyState(nowMs: number): MonitorState {
  return {
    version: STATE_VERSION,
    watermarkMs: null,
    reported: {},
    watching: {},
    failedPaths: {},
    outbox: [],
    health: { status: 'ok', sinceMs: nowMs, code: null, message: null },
    recentSends: [],
    lastTrigger: null,
    lastRun: null,
  };
}

/** Why a state document was refused. */
export class StateError extends Error {
  constructor(
    readonly code: 'StateCorrupt' | 'StateVersionUnknown' | 'StateIo',
    message: string,
    /** Where the refused file was moved, when it was. */
    readonly keptAt: string | null = null,
  ) {
    super(message);
    this.name = 'StateError';
  }
}

/** Parses and checks a state document; a corrupt or unknown-version one is a StateError, never a silent reset. */
export function parseState(text: string): MonitorState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new StateError('StateCorrupt', `the state file is not JSON (${text.length} bytes; truncated write?)`);
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (version !== STATE_VERSION) {
    throw new StateError('StateVersionUnknown', `the state file has version ${JSON.stringify(version)}; this build reads version ${STATE_VERSION}`);
  }
  const parsed = v.safeParse(stateSchema, raw);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    throw new StateError('StateCorrupt', `the state file does not match version ${STATE_VERSION}: ${v.getDotPath(issue) ?? '(root)'}: ${issue.message}`);
  }
  return parsed.output;
}
