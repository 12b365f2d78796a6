import type { Config } from '../../config';
import { DEFAULT_RETRY } from '../../retry';
import type { PopCoreVodApi } from '../../vod/client';
import { createReader } from '../../vod/factory';
import { EXIT, type ExitCode } from '../printer';
import type { Session } from '../session';
import { Follow } from './follow';
import { parseDuration, type WaitTargets } from './input';
import { DEFAULT_SCHEDULE, waitLoop } from './loop';
import { pollOnce } from './poll';
import { PROBLEM_HEADERS, problemRows, progressLine, summaryLines, waitAgainCommand, waitDocument } from './report';

/** The options every waiting command takes. */
export interface WaitFlags {
  readonly timeout: string;
  readonly interval: string;
  readonly failFast?: boolean;
  readonly json?: boolean;
}

/**
 * A wait shares the account's API limit with the deployed monitor: it asks at most this often, so a pipeline
 * waiting on 2,000 URLs (40 pages a look) cannot crowd the monitor out.
 */
export const WAIT_REQUESTS_PER_SECOND = 2;
/** A target looked up and still without a row this long after the start is not found: the API lists rows at once. */
export const NOT_FOUND_AFTER_MS = 2 * 60_000;

/** The wait's time limits, checked (exit 2) before anything is sent. */
export function waitLimits(o: WaitFlags): { timeoutMs: number; intervalMs: number } {
  return {
    timeoutMs: parseDuration('--timeout', o.timeout, 1000, 24 * 3600_000),
    intervalMs: parseDuration('--interval', o.interval, 1000, 10 * 60_000),
  };
}

/** A reader for a wait of `timeoutMs`: the monitor's reader, pacer and patient retry, at the wait's own rate. */
export function waitReader(s: Session, vod: Config['vod'], api: PopCoreVodApi, deadlineMs: number) {
  const settings = { ...vod, requestsPerSecond: Math.min(vod.requestsPerSecond, WAIT_REQUESTS_PER_SECOND) };
  return createReader(api, settings, s.runtime(), deadlineMs, 0, DEFAULT_RETRY);
}

/** Draws the progress line on a terminal (one line, rewritten); nothing in a pipe. */
function progress(s: Session, startedMs: number) {
  const term = s.io.terminal;
  const redact = s.print.redactor();
  return {
    show: (v: Parameters<typeof progressLine>[0], pauseMs: number | null) =>
      term?.write(`\r\x1b[2K${redact(progressLine(v, s.now() - startedMs, pauseMs, term.columns))}`),
    clear: () => term?.write('\r\x1b[2K'),
  };
}

/**
 * Waits for `targets` until every URL has ended, one has failed (with --fail-fast), the time is up, or the API cannot
 * be read; prints the summary (or the JSON document) and returns the exit code: 0 complete, 1 failed, 3 API, 4 time.
 */
export async function runWait(
  s: Session,
  setup: { vod: Config['vod']; api: PopCoreVodApi; reader: ReturnType<typeof waitReader>['reader']; startedMs: number; deadlineMs: number },
  targets: WaitTargets,
  o: WaitFlags & { intervalMs: number },
  extra: Record<string, unknown> = {},
): Promise<ExitCode> {
  const follow = new Follow(targets);
  const line = progress(s, setup.startedMs);
  const verdict = await waitLoop(
    {
      now: () => s.now(),
      sleep: s.runtime().sleep,
      poll: () => pollOnce(setup.reader, follow, setup.vod.concurrency),
      snapshot: () => follow.snapshot(),
      onLook: (v, pause) => line.show(v, pause),
    },
    {
      startedMs: setup.startedMs,
      deadlineMs: setup.deadlineMs,
      failFast: o.failFast === true,
      notFoundAfterMs: NOT_FOUND_AFTER_MS,
      schedule: { ...DEFAULT_SCHEDULE, maxMs: o.intervalMs },
    },
  );
  line.clear();
  const facts = { startedMs: setup.startedMs, endedMs: s.now(), taskIds: follow.taskIds(), again: waitAgainCommand(targets) };
  s.logger.debug({ event: 'wait-ended', outcome: verdict.outcome, calls: setup.api.counter.calls }, 'wait ended');
  if (o.json) s.print.json(waitDocument(verdict, facts, extra));
  else {
    const { head, tail } = summaryLines(verdict, facts);
    s.print.out(head);
    const rows = problemRows(verdict);
    if (rows.length) s.print.table(PROBLEM_HEADERS, rows, '  ');
    for (const t of tail) s.print.out(t);
  }
  return verdict.exitCode ?? EXIT.problem;
}
