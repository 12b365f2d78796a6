import { stateResetKey } from '../events/keys';
import type { AlertEvent } from '../events/schema';
import { StateError } from '../state/errors';
import { emptyState, type MonitorState } from '../state/schema';
import { withoutTold } from './outbox';
import type { MonitorDeps, RunOptions } from './types';

/** The state a run starts from, and what loading it showed (a migration, a refused file). */
export interface LoadStage {
  readonly state: MonitorState;
  readonly report: { readonly migratedFrom: number | null; readonly reset: string | null };
}

/** Loads the state. Loading never writes; only a real run (holding the lock) moves a refused file aside. */
export async function loadStage(deps: MonitorDeps, options: RunOptions, nowMs: number): Promise<LoadStage> {
  try {
    const loaded = await deps.store.load(nowMs);
    if (loaded?.migratedFrom)
      deps.logger.warn(
        { event: 'state-migrated', from: loaded.migratedFrom },
        `the state file was written by an earlier version (${loaded.migratedFrom}); converted`,
      );
    return { state: loaded ? withoutTold(loaded.state) : emptyState(nowMs), report: { migratedFrom: loaded?.migratedFrom ?? null, reset: null } };
  } catch (err) {
    if (!(err instanceof StateError) || err.code === 'StateIo') throw err;
    const keptAt = options.dryRun ? null : await deps.store.quarantine(nowMs);
    deps.logger.error(
      { event: 'state-refused', code: err.code, keptAt, dryRun: options.dryRun },
      `${err.message}; continuing as a first run (only recent failures are listed)`,
    );
    const event: AlertEvent = {
      kind: 'state-reset',
      key: stateResetKey(nowMs),
      reason: err.message,
      keptAt: keptAt ?? `${deps.store.location} (left in place by a dry run)`,
    };
    return {
      state: { ...emptyState(nowMs), outbox: [{ event, queuedAtMs: nowMs, uncertain: 0, refusals: 0 }] },
      report: { migratedFrom: null, reset: err.message },
    };
  }
}
