import { savesOf } from '../../lib/monitor/saves';
import { StateError, type StateIo } from '../../lib/state/errors';
import { emptyState, type MonitorState } from '../../lib/state/schema';
import { silentLogger } from '../helpers/fakes';

const T = Date.parse('2026-12-03T10:00:00Z');
const eio: StateIo = { op: 'write', file: '/mnt/s/state.json', errno: 'EIO' };

/** A store as lib/state/resilient-store.ts is seen from a run: the saves it took, the problems it met, where it saved. */
function store(o: { problems?: StateIo[]; savedWhereItBelongs?: boolean; savesNowhere?: boolean } = {}) {
  const saved: MonitorState[] = [];
  return {
    saved,
    problems: o.problems ?? [],
    savedWhereItBelongs: o.savedWhereItBelongs ?? true,
    async save(state: MonitorState) {
      if (o.savesNowhere) throw new StateError('StateIo', 'cannot write /mnt/s/state.json (ENOSPC), nor /tmp (ENOSPC)');
      saved.push(state);
    },
  };
}
const deps = (s: ReturnType<typeof store>) => ({ store: s, logger: silentLogger() });

describe('savesOf: the saves of a run, and the line its messages carry when its state is not where it belongs', () => {
  it('a run whose state is where it belongs: the outbox saved before sending, unchanged, and no caveat', async () => {
    const s = store();
    const saves = savesOf(deps(s));
    const state = emptyState(T);
    expect(await saves.beforeSending(state, T)).toBe(state);
    expect(s.saved).toEqual([state]);
    expect(saves.caveat()).toBeNull();
    await saves.atTheEnd(state);
    expect(s.saved).toHaveLength(2);
  });

  it('a run that met a problem with its files: the outage joins the outbox as a notice, and every message says repeats are possible', async () => {
    const s = store({ problems: [eio], savedWhereItBelongs: false });
    const saves = savesOf(deps(s));
    const next = await saves.beforeSending(emptyState(T), T);
    expect(next.stateIo).toEqual({ sinceMs: T, ...eio });
    expect(next.outbox.map((o) => o.event.key)).toEqual([`notice:state-io:${T}:write:EIO`]);
    expect(saves.caveat()).toMatch(/^The monitor cannot save its state: repeats are possible\.$/);
  });

  it('a state saved nowhere: the run still delivers (its caveat says so), and fails at its end for the failure destination', async () => {
    const s = store({ savesNowhere: true });
    const saves = savesOf(deps(s));
    await expect(saves.beforeSending(emptyState(T), T)).resolves.toBeDefined();
    expect(saves.caveat()).toMatch(/repeats are possible/);
    await expect(saves.atTheEnd(emptyState(T))).rejects.toMatchObject({ code: 'StateIo' });
  });

  it('an error that is not a file problem is not taken for one: it stops the run', async () => {
    const s = { ...store(), save: async () => Promise.reject(new TypeError('a bug')) };
    await expect(savesOf(deps(s)).beforeSending(emptyState(T), T)).rejects.toThrow(TypeError);
  });
});
