import type { ExitCode } from '../printer';
import type { CommonOptions, Session } from '../session';
import { waitTargets } from '../wait/input';
import { runWait, type WaitFlags, waitLimits, waitReader } from '../wait/run';

/** Options of `wait`. */
export interface WaitOptions extends CommonOptions, WaitFlags {
  readonly taskId?: string[];
  readonly url?: string[];
  /** The URLs given as arguments. */
  readonly args?: string[];
}

/**
 * Waits for refresh or preload tasks, URL by URL, for a deploy pipeline: by task id (every URL of a merged id), by
 * URL (its newest task), or both (those URLs under those ids). Exit 0 complete, 1 failed, 2 usage, 3 API, 4 time.
 */
export async function waitCommand(s: Session, o: WaitOptions): Promise<ExitCode> {
  const targets = waitTargets(o.taskId ?? [], [...(o.args ?? []), ...(o.url ?? [])]);
  const { timeoutMs, intervalMs } = waitLimits(o);
  const vod = s.vodConfig();
  const api = s.vodApi({ vod });
  const startedMs = s.now();
  const deadlineMs = startedMs + timeoutMs;
  const { reader } = waitReader(s, vod, api, deadlineMs);
  return runWait(s, { vod, api, reader, startedMs, deadlineMs }, targets, { ...o, intervalMs });
}
