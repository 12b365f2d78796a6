import { REPEATS_POSSIBLE, stateIoNotices } from '../decide/state-io';
import type { Logger } from '../ports';
import { StateError } from '../state/errors';
import type { StateStore } from '../state/file-store';
import type { MonitorState } from '../state/schema';
import { enqueue } from './outbox';

/**
 * The saves of a run, named: the outbox before anything is sent, a re-submission's intent before its call, and what
 * the run established, at its end. When the state cannot be saved where it belongs (lib/state/resilient-store.ts
 * keeps a copy), the problem joins the outbox as a notice, once per outage; when it cannot be saved anywhere, the run
 * still delivers (repeats are then possible), and fails at its end so that the failure destination tells on-call.
 */
/** What the saves need of a run: the saving side of its store, and its logger. */
interface SavesDeps {
  readonly store: Pick<StateStore, 'save' | 'problems' | 'savedWhereItBelongs'>;
  readonly logger: Logger;
}

export function savesOf(deps: SavesDeps) {
  let savedNowhere: StateError | null = null;
  const save = async (state: MonitorState): Promise<void> => {
    try {
      await deps.store.save(state);
    } catch (err) {
      if (!(err instanceof StateError) || err.code !== 'StateIo') throw err;
      savedNowhere = err;
      deps.logger.error({ event: 'state-unsaved', err }, 'the state can be saved nowhere; this run still delivers, and fails at its end');
    }
  };
  return {
    /** The outbox is on disk before anything is sent; the state's own problems join it as notices. */
    async beforeSending(state: MonitorState, nowMs: number): Promise<MonitorState> {
      await save(state);
      const told = stateIoNotices(state.stateIo, deps.store.problems ?? [], deps.store.savedWhereItBelongs ?? true, nowMs);
      if (told.outage === state.stateIo && told.events.length === 0) return state;
      const next = enqueue({ ...state, stateIo: told.outage }, told.events, nowMs);
      for (const io of deps.store.problems ?? [])
        deps.logger.error({ event: 'state-io', io }, `the state cannot be used where it belongs: ${io.op} ${io.file} ${io.errno}`);
      await save(next);
      return next;
    },
    /** A re-submission's intent is on disk before its call: a crash between the two counts as a submission. */
    beforeResubmitting: save,
    /** What the run established. */
    async atTheEnd(state: MonitorState): Promise<void> {
      await save(state);
      if (savedNowhere) throw savedNowhere;
    },
    /** The line each message of this run carries when its state is not where it belongs, or null. */
    caveat(): string | null {
      return (deps.store.problems ?? []).length > 0 || savedNowhere ? REPEATS_POSSIBLE : null;
    },
  };
}
