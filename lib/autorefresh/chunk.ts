import { resubmittedKey } from '../events/keys';
import type { AlertEvent } from '../events/schema';
import { rowKey } from '../identity';
import type { MonitorState, RetryEntry } from '../state/schema';
import { callMayHaveArrived, refusalPasses, VodError } from '../vod/errors';
import { type Call, request } from './calls';
import { handOverNotice } from './notices';
import type { QuotaKind } from './plan';
import type { AutoRefreshDeps } from './types';

/** What one re-submission call did. */
type Chunked = { state: MonitorState; events: AlertEvent[]; submitted: number; held: string | null; code?: string };

/** Try again after a refusal that passes. */
const WAIT_AFTER_REFUSAL_MS = 10 * 60_000;

/**
 * One call re-submitting `chunk` (one domain and kind): the intent saved before it, settled after it; a call whose
 * answer was lost counts as made.
 */
export async function submitChunk(
  deps: AutoRefreshDeps,
  state: MonitorState,
  kind: QuotaKind,
  chunk: Array<[string, RetryEntry]>,
  call: Call,
): Promise<Chunked> {
  const now = deps.now();
  const retries = { ...state.autoRefresh.retries };
  for (const [p, r] of chunk) retries[p] = { ...r, intent: { atMs: now, attempt: r.attempts + 1 } };
  const withIntent = { ...state, autoRefresh: { ...state.autoRefresh, retries } };
  const { action, params } = request(
    kind,
    chunk.map(([p]) => p),
  );
  const settleAll = (patch: (r: RetryEntry) => RetryEntry) => settled(withIntent, chunk, patch);
  try {
    const body = await call(action, params, () => deps.save(withIntent));
    const taskId = String(body.RefreshTaskId ?? body.PreloadTaskId ?? '').split(',')[0] ?? '';
    const next = settleAll((r) => ({ ...r, attempts: r.intent!.attempt, intent: null, lastTaskId: taskId || null, submittedAtMs: now, heldSinceMs: null }));
    const used = { ...state.autoRefresh.used, [kind]: state.autoRefresh.used[kind] + chunk.length };
    const events: AlertEvent[] = chunk.map(([p, r]) => ({
      kind: 'resubmitted',
      key: resubmittedKey(rowKey(r.task.taskId, p), r.attempts + 1),
      task: r.task,
      newTaskId: taskId || '(not given)',
      attempt: r.attempts + 1,
      maxAttempts: deps.settings.maxRetries,
    }));
    deps.logger.info({ event: 'auto-refresh-submitted', action, urls: chunk.length, taskId }, 'failed URLs re-submitted');
    return { state: { ...withIntent, autoRefresh: { ...withIntent.autoRefresh, retries: next, used } }, events, submitted: chunk.length, held: null };
  } catch (err) {
    if (!(err instanceof VodError)) throw err;
    return failedChunk(deps, withIntent, kind, chunk, err, action, now);
  }
}

/** What a re-submission call that failed leaves: made perhaps (its answer lost), held (a refusal that passes), or handed to a human. */
function failedChunk(
  deps: AutoRefreshDeps,
  withIntent: MonitorState,
  kind: QuotaKind,
  chunk: Array<[string, RetryEntry]>,
  err: VodError,
  action: string,
  now: number,
): Chunked {
  const settleAll = (patch: (r: RetryEntry) => RetryEntry) => settled(withIntent, chunk, patch);
  const done = (retries: MonitorState['autoRefresh']['retries'], events: AlertEvent[] = []) => ({
    state: { ...withIntent, autoRefresh: { ...withIntent.autoRefresh, retries } },
    events,
    submitted: 0,
    held: `${kind}: ${err.code}`,
    code: err.code,
  });
  if (callMayHaveArrived(err.code)) {
    // It may have arrived: it counts as made, and a human is called if no new row for the URL appears in time.
    deps.logger.warn(
      { event: 'auto-refresh-uncertain', action, code: err.code, urls: chunk.length },
      `re-submission may or may not have been made: ${err.code}`,
    );
    return done(settleAll((r) => ({ ...r, attempts: r.intent!.attempt, intent: null, submittedAtMs: now, heldSinceMs: null })));
  }
  // The API answered with a refusal: nothing was submitted.
  deps.logger.warn({ event: 'auto-refresh-refused', action, code: err.code, urls: chunk.length }, `re-submission not made: ${err.code}`);
  if (refusalPasses(err.code) || err.retryable)
    return done(
      settleAll((r) => ({
        ...r,
        intent: null,
        heldSinceMs: r.heldSinceMs ?? now,
        heldBy: `the API answered ${err.code}`,
        nextAtMs: now + WAIT_AFTER_REFUSAL_MS,
      })),
    );
  const why = `the API refused it (${err.code})`;
  return done(
    settleAll((r) => ({ ...r, intent: null, stopped: why })),
    [
      handOverNotice(
        chunk.map(([path, entry]) => ({ path, entry, why })),
        now,
      ),
    ],
  );
}

/** The retries with `patch` applied to the chunk's URLs. */
function settled(
  state: MonitorState,
  chunk: ReadonlyArray<[string, RetryEntry]>,
  patch: (r: RetryEntry) => RetryEntry,
): MonitorState['autoRefresh']['retries'] {
  const next = { ...state.autoRefresh.retries };
  for (const [p] of chunk) next[p] = patch(next[p]!);
  return next;
}
