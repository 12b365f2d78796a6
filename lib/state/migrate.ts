import * as v from 'valibot';
import { failedKey, recoveredKey, stuckKey, v1FailedTaskId } from '../events/keys';
import { type AlertEvent, alertEventSchema, dict, taskFactsSchema } from '../events/schema';
import { rowKey } from '../identity';
import { conforms } from './conforms';
import { StateError } from './errors';
import { emptyState, LEDGER_ENTRIES, type MonitorState, STATE_VERSION, stateSchema } from './schema';

/** The state written by v1 builds, which keyed everything by TaskId alone. */
const v1Schema = v.object({
  version: v.literal(1),
  watermarkMs: v.nullable(v.number()),
  reported: dict(v.number()),
  watching: dict(v.object({ task: taskFactsSchema, createdAtMs: v.number() })),
  failedPaths: dict(v.object({ taskId: v.string(), createdAtMs: v.number(), description: v.nullable(v.string()) })),
  outbox: v.array(v.object({ event: v.unknown(), queuedAtMs: v.number() })),
  health: v.object({ status: v.picklist(['ok', 'down']), sinceMs: v.number(), code: v.nullable(v.string()), message: v.nullable(v.string()) }),
  recentSends: v.array(v.number()),
  lastTrigger: v.nullable(v.string()),
  lastRun: v.nullable(v.object({ atMs: v.number(), complete: v.boolean(), apiCalls: v.number() })),
});
type V1 = v.InferOutput<typeof v1Schema>;

/** A v1 outbox event under its v2 key: a row's identity is (TaskId, ObjectPath) now. */
function rekey(raw: unknown): AlertEvent {
  const old = v.parse(alertEventSchema, normalizeV1Event(raw));
  if (old.kind === 'failed' || old.kind === 'stuck')
    return { ...old, key: (old.kind === 'failed' ? failedKey : stuckKey)(rowKey(old.task.taskId, old.task.objectPath)) };
  if (old.kind === 'recovered') return { ...old, key: recoveredKey(rowKey(old.failedTaskId, old.task.objectPath)) };
  return old;
}

/** v1's backlog event had no `byType`. */
function normalizeV1Event(raw: unknown): unknown {
  if (raw && typeof raw === 'object' && (raw as { kind?: unknown }).kind === 'backlog' && !('byType' in raw)) return { ...raw, byType: {} };
  return raw;
}

/**
 * Converts a v1 state. Nothing already reported is reported again and nothing waiting in the outbox is lost: a v1
 * `failed:<TaskId>` key becomes the key of its row where the v1 state still names the row's URL (its latest failure
 * per path); where it does not, the task id is kept in `legacyIds`, and every failed row of that id created before
 * the migration counts as reported (v1 reported one of them and did not say which).
 */
export function migrateV1(v1: V1, nowMs: number): MonitorState {
  const base = emptyState(nowMs);
  const { reported, legacyIds } = v1Reported(v1);
  const watching: MonitorState['watching'] = {};
  for (const w of Object.values(v1.watching)) {
    watching[rowKey(w.task.taskId, w.task.objectPath)] = {
      task: w.task,
      createdAtMs: w.createdAtMs,
      firstSeenMs: w.createdAtMs,
      checkedAtMs: v1.lastRun?.atMs ?? w.createdAtMs,
      stuckAtMs: null,
    };
  }
  const outbox = v1.outbox.map((o) => ({ event: rekey(o.event), queuedAtMs: o.queuedAtMs, uncertain: 0, refusals: 0 }));
  const typeOf = new Map(outbox.flatMap((o) => ('task' in o.event ? [[o.event.task.taskId, o.event.task.objectType] as const] : [])));
  const failedPaths: MonitorState['failedPaths'] = {};
  for (const [path, f] of Object.entries(v1.failedPaths)) {
    failedPaths[path] = {
      key: rowKey(f.taskId, path),
      taskId: f.taskId,
      objectType: typeOf.get(f.taskId) ?? 'file',
      createdAtMs: f.createdAtMs,
      description: f.description,
      checkedToMs: v1.watermarkMs ?? f.createdAtMs,
    };
  }
  return {
    ...base,
    frontierMs: v1.watermarkMs,
    scanned: v1.watermarkMs !== null,
    watching,
    failedPaths,
    reported,
    legacyIds,
    legacyBeforeMs: Object.keys(legacyIds).length ? (v1.watermarkMs ?? nowMs) : null,
    outbox,
    health: v1.health,
    recentSends: { default: v1.recentSends },
    lastTrigger: v1.lastTrigger,
    lastOkMs: v1.lastRun?.complete ? v1.lastRun.atMs : null,
    runs: v1.lastRun
      ? [
          {
            atMs: v1.lastRun.atMs,
            durationMs: 0,
            status: v1.lastRun.complete ? 'ok' : 'degraded',
            apiCalls: v1.lastRun.apiCalls,
            newFailures: 0,
            pendingAlerts: v1.outbox.length,
            readComplete: v1.lastRun.complete,
          },
        ]
      : [],
  };
}

/** v1's `failed:<TaskId>` keys as keys of their rows where the URL is known, else as legacy task ids. */
function v1Reported(v1: V1): { reported: Record<string, number>; legacyIds: Record<string, number> } {
  const pathOfFailure = new Map(Object.entries(v1.failedPaths).map(([path, f]) => [f.taskId, path] as const));
  const reported: Record<string, number> = {};
  const legacyIds: Record<string, number> = {};
  for (const [key, expires] of Object.entries(v1.reported)) {
    const taskId = v1FailedTaskId(key);
    if (taskId === null) continue; // stuck and recovered keys of v1 only guarded tasks v1 no longer watches
    const path = pathOfFailure.get(taskId);
    if (path !== undefined) reported[failedKey(rowKey(taskId, path))] = expires;
    else legacyIds[taskId] = expires;
  }
  return { reported, legacyIds };
}

/** Parses and checks a state document of this version or of v1 (migrated); anything else is a StateError. */
export function parseState(text: string, nowMs: number): { state: MonitorState; migratedFrom: number | null } {
  return checkState(parseJson(text, 'the state file'), nowMs);
}

/** The JSON of a state file, or a StateError saying it is not JSON. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new StateError('StateCorrupt', `${what} is not JSON (${text.length} bytes; truncated write?)`);
  }
}

/** Checks a state document of this version or of v1 (migrated); anything else is a StateError. */
export function checkState(raw: unknown, nowMs: number): { state: MonitorState; migratedFrom: number | null } {
  const version = (raw as { version?: unknown } | null)?.version;
  if (version === 1) {
    const old = v.safeParse(v1Schema, raw);
    if (!old.success) throw corrupt(1, old.issues[0]);
    try {
      return { state: migrateV1(old.output, nowMs), migratedFrom: 1 };
    } catch (err) {
      throw new StateError('StateCorrupt', `the version 1 state file could not be converted: ${(err as Error).message}`, { cause: err });
    }
  }
  if (version !== STATE_VERSION) {
    throw new StateError('StateVersionUnknown', `the state file has version ${JSON.stringify(version)}; this build reads versions 1 and ${STATE_VERSION}`);
  }
  const doc = raw as Record<string, unknown>;
  const ledger: Record<string, unknown> = {};
  const pool = new Map<string, string>();
  for (const [field, entry] of Object.entries(LEDGER_ENTRIES)) {
    const dict = doc[field];
    delete doc[field];
    if (dict === undefined && !(field in EMPTY_OPTIONAL))
      throw new StateError('StateCorrupt', `the state file does not match version ${STATE_VERSION}: ${field}: is missing`);
    if (dict === undefined) continue;
    ledger[field] = checkDict(field, dict, entry, pool);
  }
  // Checked without the ledger part (already checked), then joined to it: the large part is copied by no one.
  const parsed = v.safeParse(stateSchema, { ...doc, ...EMPTY_LEDGER });
  if (!parsed.success) throw corrupt(STATE_VERSION, parsed.issues[0]);
  return { state: { ...parsed.output, ...ledger } as MonitorState, migratedFrom: null };
}

const EMPTY_LEDGER = { reported: {}, heldKeys: {}, recoveredPaths: {}, watching: {}, failedPaths: {} };
/** Ledger fields a state of this version may lack (added later; an empty dictionary then). */
const EMPTY_OPTIONAL = { heldKeys: {}, recoveredPaths: {} };

/** A dictionary of the ledger part, each entry checked in place against its schema (lib/state/conforms.ts): no copy. */
function checkDict(field: string, dict: unknown, entry: v.GenericSchema, pool: Map<string, string>): Record<string, unknown> {
  if (typeof dict !== 'object' || dict === null || Array.isArray(dict))
    throw new StateError('StateCorrupt', `the state file does not match version ${STATE_VERSION}: ${field}: must be an object, not an array`);
  const d = dict as Record<string, unknown>;
  const isNumber = entry.type === 'number';
  for (const key of Object.keys(d)) {
    if (isNumber) {
      if (typeof d[key] !== 'number' || Number.isNaN(d[key]))
        throw new StateError('StateCorrupt', `the state file does not match version ${STATE_VERSION}: ${field}.${key}: must be a number`);
      continue;
    }
    const problem = conforms(entry, d[key], `${field}.${key}`);
    if (problem) throw new StateError('StateCorrupt', `the state file does not match version ${STATE_VERSION}: ${problem}`);
    shared(d[key] as Record<string, unknown>, pool);
  }
  return d;
}

/** Fields many entries hold the same value of (a type, a status, a domain, a Description, a second): held once. */
const SHARED = new Set(['objectType', 'status', 'domain', 'description', 'creationTime']);

/** The entry with its repeated strings taken from `pool` (one copy of each value for the whole state). */
function shared(entry: Record<string, unknown>, pool: Map<string, string>): Record<string, unknown> {
  for (const [k, value] of Object.entries(entry)) {
    if (typeof value === 'string' && SHARED.has(k)) {
      const held = pool.get(value);
      if (held === undefined) pool.set(value, value);
      else entry[k] = held;
    } else if (k === 'task' && value && typeof value === 'object') shared(value as Record<string, unknown>, pool);
  }
  return entry;
}

function corrupt(version: number, issue: v.BaseIssue<unknown>, within?: string): StateError {
  const at = [within, v.getDotPath(issue)].filter(Boolean).join('.') || '(root)';
  return new StateError('StateCorrupt', `the state file does not match version ${version}: ${at}: ${issue.message}`);
}
