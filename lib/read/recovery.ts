import type { VodReader } from '../vod/reader';
import { OBJECT_TYPES } from '../vod/types';
import type { RowSink } from './sink';

/** A failed path is checked again at most this often (recoveries are good news: they can wait a little). */
export const RECOVERY_RECHECK_MS = 30 * 60_000;

/**
 * Checks failed paths for a later Complete row where this run did not read every Complete row (a range read by
 * Status filter): one call per path (`ObjectPath` + `Status=Complete`), the least recently checked first, each at
 * most every RECOVERY_RECHECK_MS, at most `max` a run; `priority` paths (a reminder is due) first, whatever the
 * interval, up to 20. A Complete row found is decided as a recovery. Returns how many paths still wait.
 */
export async function checkRecoveries(
  reader: VodReader,
  sink: RowSink,
  endMs: number,
  edgeMs: number,
  max: number,
  priority: readonly string[] = [],
): Promise<{ checked: number; waiting: number }> {
  const first = new Set(priority);
  const failures = sink.failures();
  const urgent = failures.filter(([p, f]) => first.has(p) && f.checkedToMs < endMs).slice(0, 20);
  const lagging = failures
    .filter(([p, f]) => !first.has(p) && endMs - f.checkedToMs >= RECOVERY_RECHECK_MS)
    .sort(([, a], [, b]) => a.checkedToMs - b.checkedToMs);
  const now = [...urgent, ...lagging.slice(0, max)];
  await Promise.all(
    now.map(async ([path, f]) => {
      const startMs = Math.max(edgeMs, Math.floor(f.createdAtMs / 1000) * 1000);
      if (!(OBJECT_TYPES as readonly string[]).includes(f.objectType) || startMs >= endMs) {
        sink.recoveryChecked(path, endMs);
        return;
      }
      const page = await reader.page({
        objectPath: path,
        objectType: f.objectType,
        status: 'Complete',
        startTime: new Date(startMs),
        endTime: new Date(endMs),
        pageNumber: 1,
        pageSize: 1,
      });
      if (page.tasks.length) sink.observe(page.tasks);
      sink.recoveryChecked(path, endMs);
    }),
  );
  return { checked: now.length, waiting: lagging.length - now.length };
}
