// The state where it belongs and its /tmp copy (lib/state/resilient-store.ts), over real files with faults: a blip
// of the mount is read through; a state begun afresh while the real one could not be read never replaces it, and the
// real one, read again, keeps what the bridging runs delivered.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStateStore } from '../../lib/state/file-store';
import { ResilientStore } from '../../lib/state/resilient-store';
import { emptyState, type MonitorState } from '../../lib/state/schema';
import { faultyFs } from '../helpers/faulty-fs';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vrm-resilient-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.parse('2026-12-03T10:00:00Z');
const withKeys = (s: MonitorState, keys: Record<string, number>): MonitorState => ({ ...s, reported: { ...s.reported, ...keys } });

function stores(faults: Parameters<typeof faultyFs>[0] = []) {
  const disk = faultyFs(faults);
  const file = path.join(dir, 'mount', 'state.json');
  let clock = T0;
  const open = () => new ResilientStore(new FileStateStore(file, disk.fs), new FileStateStore(path.join(dir, 'tmp', 'state.json')), () => clock++, [0, 0]);
  return { disk, file, open };
}

describe('the resilient store', () => {
  it('reads through a mount that fails once or twice with a transient error', async () => {
    const { disk, open } = stores();
    await open().save(withKeys(emptyState(T0), { 'failed:1/a': T0 + 1 }));
    disk.faults.push({ ops: ['readFile'], where: 'state.json', errno: 'EIO', times: 2 });
    const store = open();
    expect((await store.load(T0))?.state.reported).toEqual({ 'failed:1/a': T0 + 1 });
    expect(store.problems).toEqual([]);
  });

  it('does not retry an error that a second read would meet again (EISDIR, EACCES)', async () => {
    const { disk, open } = stores([{ ops: ['readFile'], where: 'state.json', errno: 'EACCES' }]);
    const store = open();
    expect(await store.load(T0)).toBeNull();
    expect(disk.calls.filter((c) => c.op === 'readFile' && c.file.endsWith('mount/state.json'))).toHaveLength(1);
    expect(store.problems.map((p) => p.errno)).toEqual(['EACCES']);
  });

  it('never saves a state begun afresh over the one it could not read, and merges what it delivered once that one reads again', async () => {
    const { disk, open } = stores();
    const waiting = { event: { kind: 'notice', key: 'notice:x', code: 'x', message: 'waiting' }, queuedAtMs: T0, uncertain: 0, refusals: 0 } as const;
    await open().save({ ...withKeys(emptyState(T0), { 'failed:1/a': T0 + 10 }), outbox: [waiting] });
    disk.faults.push({ ops: ['readFile'], where: 'mount/state.json', errno: 'EIO' });
    const blind = open();
    expect(await blind.load(T0)).toBeNull();
    await blind.save(withKeys(emptyState(T0), { 'failed:2/b': T0 + 20 }));
    expect(blind.savedWhereItBelongs).toBe(false);
    disk.heal();
    const back = open();
    const state = (await back.load(T0))!.state;
    expect(state.reported).toEqual({ 'failed:1/a': T0 + 10, 'failed:2/b': T0 + 20 });
    expect(state.outbox.map((o) => o.event.key)).toEqual(['notice:x']);
    await back.save(state);
    expect(back.savedWhereItBelongs).toBe(true);
  });

  it('a copy that continues a state it read (not begun afresh) is the later one and wins', async () => {
    const { disk, open } = stores();
    await open().save(withKeys(emptyState(T0), { 'failed:1/a': T0 }));
    const reader = open();
    await reader.load(T0);
    disk.faults.push({ ops: ['rename'], where: 'mount/state.json', errno: 'EIO' });
    await reader.save(withKeys(emptyState(T0), { 'failed:1/a': T0, 'failed:3/c': T0 }));
    expect(reader.savedWhereItBelongs).toBe(false);
    disk.heal();
    expect(Object.keys((await open().load(T0))!.state.reported).sort()).toEqual(['failed:1/a', 'failed:3/c']);
  });
});
