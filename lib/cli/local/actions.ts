import type { VodSim } from '../../../sim/vod/server';
import type { Fate } from '../../../sim/vod/store';
import { localTime } from '../../time';

/** What `local` can make happen now, each answering one line that says what it did and when the monitor tells it. */
export interface DemoActions {
  /** A new URL that fails now (domains in turn, so that routing and a mute show). */
  fail(): string;
  /** A new URL that stays Refreshing for ever: told stuck after STUCK_AFTER_MINUTES. */
  hang(): string;
  /** The last failure made here refreshed again, and complete now: told recovered. */
  recover(): string;
  /** One call of 40 URLs (one merged task id), 3 of them failing in 20 seconds. */
  merged(): string;
}

const DESCRIPTIONS = ['Origin Timeout', 'Origin Return StatusCode 5XX', 'Internal Error'] as const;
const MERGED_SIZE = 40;
const MERGED_FATE_MS = 20_000;

/**
 * The on-demand actions, as a CMS would cause them: every URL goes through the simulator's refresh call (so a
 * batch merges into one task id by domain and second, as the real API does), with its fate set.
 */
export function demoActions(vod: VodSim, domains: readonly string[], now: () => number, stuckAfterMinutes: number): DemoActions {
  let n = 0;
  const failed: string[] = [];
  // Two seconds back: a run reads up to a second behind the API's clock, so `t` right after a key already sees it.
  const submit = (urls: string[], fate: (i: number) => Fate) =>
    vod.store.submit({ urls, kind: 'file', atMs: now() - 2000, fate: (_u, i) => fate(i) }).taskIds.join(',');
  const next = () => {
    n++;
    return domains[(n - 1) % domains.length]!;
  };
  return {
    fail() {
      const url = `http://${next()}/demo/fail-${n}.mp4`;
      const Description = DESCRIPTIONS[(n - 1) % DESCRIPTIONS.length]!;
      const taskId = submit([url], () => ({ afterMs: 0, Status: 'Failed', Description }));
      failed.push(url);
      return `failed now: ${url} (TaskId ${taskId}, ${Description}); the next run alerts it`;
    },
    hang() {
      const url = `http://${next()}/demo/hang-${n}.mp4`;
      const taskId = submit([url], () => null);
      return `hanging: ${url} (TaskId ${taskId}) stays Refreshing; told stuck once older than ${stuckAfterMinutes} min (STUCK_AFTER_MINUTES), at ${localTime(now() + stuckAfterMinutes * 60_000)} or after`;
    },
    recover() {
      const url = failed.pop();
      if (!url) return 'nothing to recover yet: press f (or m) first, then r once the failure was alerted';
      const taskId = submit([url], () => ({ afterMs: 0, Status: 'Complete' }));
      return `recovered now: ${url} refreshed again (TaskId ${taskId}), complete; the next run tells it recovered`;
    },
    merged() {
      const domain = next();
      const urls = Array.from({ length: MERGED_SIZE }, (_, i) => `http://${domain}/demo/batch-${n}/seg-${i}.ts`);
      const failing = (i: number) => i % 13 === 5;
      const taskId = submit(urls, (i) =>
        failing(i) ? { afterMs: MERGED_FATE_MS, Status: 'Failed', Description: 'Origin Timeout' } : { afterMs: MERGED_FATE_MS, Status: 'Complete' },
      );
      failed.push(...urls.filter((_, i) => failing(i)));
      return `merged batch: ${MERGED_SIZE} URLs under one TaskId ${taskId}; ${urls.filter((_, i) => failing(i)).length} fail in 20 s, the rest complete`;
    },
  };
}
