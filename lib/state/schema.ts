import { z } from 'zod';
import type { AlertEvent } from '../alert/model';

export const STATE_VERSION = 1;

const taskFacts = z.object({
  taskId: z.string(),
  objectPath: z.string(),
  objectType: z.string(),
  status: z.string(),
  description: z.string().nullable(),
  creationTime: z.string().nullable(),
  domain: z.string(),
});

const alertEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('failed'), key: z.string(), task: taskFacts }),
  z.object({ kind: z.literal('stuck'), key: z.string(), task: taskFacts, ageMinutes: z.number() }),
  z.object({ kind: z.literal('recovered'), key: z.string(), task: taskFacts, failedTaskId: z.string(), failedDescription: z.string().nullable() }),
  z.object({ kind: z.literal('backlog'), key: z.string(), count: z.number(), byDescription: z.record(z.string(), z.number()), sinceMs: z.number(), untilMs: z.number() }),
  z.object({ kind: z.literal('health-down'), key: z.string(), code: z.string(), message: z.string(), sinceMs: z.number() }),
  z.object({ kind: z.literal('health-up'), key: z.string(), code: z.string(), downSinceMs: z.number() }),
  z.object({ kind: z.literal('state-reset'), key: z.string(), reason: z.string(), keptAt: z.string() }),
]);

const watched = z.object({ task: taskFacts, createdAtMs: z.number() });

const stateSchema = z.object({
  version: z.literal(STATE_VERSION),
  /** End of the last complete scan, epoch ms. */
  watermarkMs: z.number().nullable(),
  /** Delivered alert keys and when they may be forgotten (epoch ms). */
  reported: z.record(z.string(), z.number()),
  /** Unfinished tasks still being watched, by TaskId. */
  watching: z.record(z.string(), watched),
  /** The latest failure of each ObjectPath, for recovery. */
  failedPaths: z.record(z.string(), z.object({ taskId: z.string(), createdAtMs: z.number(), description: z.string().nullable() })),
  /** Alerts decided but not yet confirmed by the robot. */
  outbox: z.array(z.object({ event: alertEvent, queuedAtMs: z.number() })),
  health: z.object({ status: z.enum(['ok', 'down']), sinceMs: z.number(), code: z.string().nullable(), message: z.string().nullable() }),
  /** When messages went to the robot recently (epoch ms), for the client-side rate limit. */
  recentSends: z.array(z.number()),
  /** The timer triggerTime of the last run that finished, to recognise a duplicated event. */
  lastTrigger: z.string().nullable(),
  lastRun: z.object({ atMs: z.number(), complete: z.boolean(), apiCalls: z.number() }).nullable(),
});

export type MonitorState = z.infer<typeof stateSchema>;
export type WatchedTask = z.infer<typeof watched>;
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
  const parsed = stateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StateError('StateCorrupt', `the state file does not match version ${STATE_VERSION}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data as MonitorState;
}
