import { blindGap, nextHealth } from '../decide/health';
import { noticeKey } from '../events/keys';
import type { AlertEvent } from '../events/schema';
import { type PlannedRange, pieceRows, remainingRanges, windowEdge } from '../read/plan';
import type { MonitorState } from '../state/schema';
import { localTime, shanghaiTime } from '../time';
import { MAX_PAGE_SIZE } from '../vod/params';
import { type ReadStage, WHOLE_READ_MAX_PAGES } from './read';
import type { MonitorDeps } from './types';

/** The reading state after this run, and the events its decisions and the monitor's health produce. */
export async function decideStage(
  deps: MonitorDeps,
  state: MonitorState,
  read: ReadStage,
  startedMs: number,
): Promise<{ state: MonitorState; events: AlertEvent[] }> {
  const { result, plan, decisions } = read;
  const error = result.error ? { code: result.error.code, message: result.error.message } : null;
  const health = nextHealth(state.health, result.status, error, startedMs);
  const cause = deps.lastFailureCause ? await deps.lastFailureCause().catch(() => null) : null;
  const blind = blindGap(state, result.status, startedMs, deps.config.blindAfterMs, cause);
  const settled = new Set<PlannedRange>();
  for (const [r, o] of result.ranges) if (o.settled) settled.add(r);
  // A settled range whose end was clamped to the API's clock leaves its last seconds to the next new range.
  const fresh = plan.ranges[0]!;
  const freshOutcome = result.ranges.get(fresh);
  const frontierMs = freshOutcome?.settled ? freshOutcome.range.endMs : plan.frontierMs;
  const outcome = freshOutcome ?? null;
  const minutes = outcome ? (outcome.range.endMs - outcome.range.startMs) / 60_000 : 0;
  const next: MonitorState = {
    ...state,
    frontierMs,
    scanned: state.scanned || settled.size > 0,
    backlogBeforeMs: plan.backlogBeforeMs,
    pendingRanges: remainingRanges(
      plan.ranges,
      settled,
      result.outOfTime,
      windowEdge(read.apiNowMs),
      pieceRows(read.reader.pages, WHOLE_READ_MAX_PAGES * MAX_PAGE_SIZE),
      read.reader.pages * MAX_PAGE_SIZE,
    ),
    watching: decisions.watching,
    failedPaths: decisions.failedPaths,
    recoveredPaths: decisions.recoveredPaths,
    recoveryCoverage: decisions.recoveryCoverage,
    legacyIds: Object.fromEntries(Object.entries(state.legacyIds).filter(([, exp]) => exp > read.apiNowMs)),
    health: health.health,
    lastOkMs: result.status === 'down' ? state.lastOkMs : startedMs,
    skewMs: read.skewMs,
    rowsPerMinute: outcome && outcome.total > 0 && minutes > 0 ? outcome.total / minutes : state.rowsPerMinute,
    wideGaveUpFromMs: result.wideGaveUp ? plan.widenTo : state.wideGaveUpFromMs,
  };
  // A first run that could read nothing starts again next time, its lookback anchored then; one that read part of
  // the window keeps what it read and goes on from where it stopped.
  if (!next.scanned && result.status === 'down') return { state: { ...next, frontierMs: null, pendingRanges: [] }, events: health.event ? [health.event] : [] };
  const behind = stalledReading(state, next, read.apiNowMs, result.status === 'down');
  const events = [...(blind ? [blind] : []), ...decisions.events, ...(health.event ? [health.event] : []), ...(behind.event ? [behind.event] : [])];
  return { state: { ...next, stalled: behind.stalled }, events };
}

/** Runs in a row that leave rows unread, after which on-call is told (once a day) if the oldest waits over an hour. */
export const STALLED_RUNS = 6;
const STALLED_AGE_MS = 3600_000;

/**
 * Whether the monitor is falling behind: STALLED_RUNS runs in a row (half an hour) that could read ended with ranges
 * left for later, the oldest created over an hour ago. Failures there are reported once read, while the API keeps them; a run too
 * short for its VOD is said, not hidden.
 */
function stalledReading(
  before: MonitorState,
  after: MonitorState,
  apiNowMs: number,
  down: boolean,
): { stalled: MonitorState['stalled']; event: AlertEvent | null } {
  const spanMs = after.pendingRanges.reduce((a, r) => a + (r.endMs - r.startMs), 0);
  // A run that could not read at all is not slow: the health notice ("cannot read refresh tasks") tells that, and
  // no timeout would help. It neither counts nor resets the runs that could read and did not catch up.
  if (down) return { stalled: { runs: before.stalled.runs, spanMs }, event: null };
  const runs = spanMs > 0 ? before.stalled.runs + 1 : 0;
  const stalled = { runs, spanMs };
  const oldest = Math.min(...after.pendingRanges.map((r) => r.startMs));
  // Once a day: enqueue drops a key already told or waiting.
  const key = noticeKey('falling-behind', { day: shanghaiTime(apiNowMs).slice(0, 10) });
  if (runs < STALLED_RUNS || apiNowMs - oldest < STALLED_AGE_MS) return { stalled, event: null };
  return {
    stalled,
    event: {
      kind: 'notice',
      key,
      code: 'FallingBehind',
      message: `The monitor is falling behind: rows created since ${localTime(oldest)} (${Math.round(spanMs / 60_000)} min of them, in ${after.pendingRanges.length} range(s)) are not read yet, and the last ${runs} runs did not catch up. Failures there are reported once read, while the API keeps them (3 days). Each run reads for a share of the function's timeout: raise it in s.yaml (timeout, 120 s shipped), or look at why VOD answers slowly.`,
    },
  };
}
