import type { FailedPath, MonitorState } from '../state/schema';

/** Every Complete row created in [fromMs, toMs] was read (whole reads, contiguous): one interval for every failed URL. */
export type Coverage = NonNullable<MonitorState['recoveryCoverage']>;

/**
 * Up to when a failed URL is known to have no later Complete row: its own check, carried on by the coverage when
 * that check reaches the coverage (within a second). Kept as one interval beside the URLs rather than written into
 * each, so a quiet run that reads its new rows whole changes one interval, not ten thousand entries.
 */
export function checkedTo(f: Pick<FailedPath, 'checkedToMs'>, coverage: Coverage | null): number {
  if (coverage === null || f.checkedToMs < coverage.fromMs - 1000) return f.checkedToMs;
  return Math.max(f.checkedToMs, coverage.toMs);
}

/**
 * The coverage after a whole read of [fromMs, toMs]: joined to the current one when the two touch (within a second),
 * else the new one alone — and then `materialize` is the interval the URLs must take into their own checks first.
 */
export function extend(coverage: Coverage | null, fromMs: number, toMs: number): { coverage: Coverage; materialize: Coverage | null } {
  if (coverage === null) return { coverage: { fromMs, toMs }, materialize: null };
  const touch = fromMs - 1000 <= coverage.toMs && toMs >= coverage.fromMs - 1000;
  if (touch) return { coverage: { fromMs: Math.min(coverage.fromMs, fromMs), toMs: Math.max(coverage.toMs, toMs) }, materialize: null };
  return { coverage: { fromMs, toMs }, materialize: coverage };
}
