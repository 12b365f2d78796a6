import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StateError } from '../../lib/state/errors';
import { FileStateStore } from '../../lib/state/file-store';
import { MAX_DELTA } from '../../lib/state/ledger-file';
import { emptyState } from '../../lib/state/schema';
import { faultyFs } from '../helpers/faulty-fs';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});
const fresh = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vrm-state-'));
  made.push(dir);
  return path.join(dir, 'sub', 'state.json');
};
const NOW = Date.parse('2026-11-28T12:00:00Z');

describe('FileStateStore', () => {
  it('returns null on a first run and round-trips a saved state', async () => {
    const store = new FileStateStore(fresh());
    expect(await store.load(NOW)).toBeNull();
    const s = { ...emptyState(1), frontierMs: 42, reported: { 'failed:1/x': 99 } };
    await store.save(s);
    expect(await store.load(NOW)).toEqual({ state: s, migratedFrom: null });
    expect(readdirSync(path.dirname(store.location)).sort()).toEqual(['state.json', 'state.json.ledger.json']);
  });

  it('writes the ledger part only when it changed: a run that told nothing rewrites the small head alone', async () => {
    const spy = faultyFs();
    const store = new FileStateStore(fresh(), spy.fs);
    const s = { ...emptyState(1), reported: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`failed:${i}/k`, 99])) };
    await store.save(s);
    const wrote = () => spy.calls.filter((c) => c.op === 'rename').map((c) => path.basename(c.file).replace(/\.\d+\.[0-9a-f]+\.tmp$/, ''));
    expect(wrote()).toEqual(['state.json.ledger.json', 'state.json']);
    spy.calls.length = 0;
    await store.save({ ...s, frontierMs: 43, runs: [] });
    expect(wrote()).toEqual(['state.json']);
    const again = new FileStateStore(store.location, spy.fs);
    const loaded = (await again.load(NOW))!.state;
    spy.calls.length = 0;
    await again.save({ ...loaded, lastTrigger: 'x' });
    expect(wrote()).toEqual(['state.json']);
    // A few changes (a new alert delivered) ride in the head, as a delta over the ledger file.
    await again.save({ ...loaded, reported: { ...loaded.reported, 'failed:new/k': 5 } });
    expect(wrote()).toEqual(['state.json', 'state.json']);
    expect((await new FileStateStore(store.location).load(NOW))!.state.reported['failed:new/k']).toBe(5);
  });

  it('rewrites the ledger file once more changes than MAX_DELTA gather, and the head drops its delta', async () => {
    const spy = faultyFs();
    const store = new FileStateStore(fresh(), spy.fs);
    const s = { ...emptyState(1), reported: { 'failed:0/k': 1 } };
    await store.save(s);
    const many = Object.fromEntries(Array.from({ length: MAX_DELTA + 1 }, (_, i) => [`failed:${i}/k`, 7]));
    spy.calls.length = 0;
    await store.save({ ...s, reported: many });
    expect(spy.calls.filter((c) => c.op === 'rename').map((c) => path.basename(c.file).replace(/\.\d+\.[0-9a-f]+\.tmp$/, ''))).toEqual([
      'state.json.ledger.json',
      'state.json',
    ]);
    expect(JSON.parse(readFileSync(store.location, 'utf8')).ledgerDelta).toEqual([]);
    expect((await new FileStateStore(store.location).load(NOW))!.state.reported).toEqual(many);
  });

  it('reads a state written whole in one file (before the ledger had a file of its own)', async () => {
    const file = fresh();
    mkdirSync(path.dirname(file), { recursive: true });
    const s = { ...emptyState(1), reported: { 'failed:1/x': 99 } };
    writeFileSync(file, JSON.stringify(s));
    expect((await new FileStateStore(file).load(NOW))!.state.reported).toEqual({ 'failed:1/x': 99 });
  });

  it.each([
    ['read', 'readFile', 'EIO', /cannot read .*state\.json \(EIO\): the mount failed/],
    ['read', 'readFile', 'EACCES', /oss:GetObject/],
    ['write', 'writeFile', 'ENOSPC', /full/],
    ['write', 'rename', 'EACCES', /oss:PutObject/],
  ] as const)('a %s failing with %s/%s says which file, which error and what to check', async (op, call, errno, says) => {
    const file = fresh();
    await new FileStateStore(file).save(emptyState(1));
    const store = new FileStateStore(file, faultyFs([{ ops: [call], where: 'state.json', errno }]).fs);
    const err = (await (op === 'read' ? store.load(NOW) : store.save(emptyState(2))).catch((e: unknown) => e)) as StateError;
    expect(err).toBeInstanceOf(StateError);
    expect(err.io).toMatchObject({ op, errno });
    expect(err.message).toMatch(says);
  });

  it('a folder where the state file should be (EISDIR) is named as such', async () => {
    const file = fresh();
    mkdirSync(file, { recursive: true });
    const err = (await new FileStateStore(file).load(NOW).catch((e: unknown) => e)) as StateError;
    expect(err.io).toMatchObject({ op: 'read', errno: 'EISDIR' });
    expect(err.message).toMatch(/STATE_FILE must name a file/);
  });

  it.each([
    ['truncated', '{"version":2,"frontier', 'StateCorrupt'],
    ['from the future', '{"version":3}', 'StateVersionUnknown'],
    ['of the wrong shape', JSON.stringify({ ...emptyState(1), reported: [] }), 'StateCorrupt'],
    ['empty', '', 'StateCorrupt'],
  ])('refuses a %s file without touching it; only quarantine moves it aside', async (_n, text, code) => {
    const file = fresh();
    const store = new FileStateStore(file);
    await store.save(emptyState(1));
    writeFileSync(file, text);
    const err = await store.load(NOW).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    expect((err as StateError).code).toBe(code);
    expect(readFileSync(file, 'utf8')).toBe(text);
    const kept = await store.quarantine(NOW);
    expect(readFileSync(kept!, 'utf8')).toBe(text);
    expect(await store.load(NOW)).toBeNull();
  });

  it('says plainly when the location cannot be written', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vrm-ro-'));
    made.push(dir);
    mkdirSync(path.join(dir, 'ro'));
    chmodSync(path.join(dir, 'ro'), 0o500);
    const store = new FileStateStore(path.join(dir, 'ro', 'state.json'));
    if (process.getuid?.() === 0) return; // root writes anywhere: nothing to check here
    await expect(store.probeWritable()).rejects.toMatchObject({ code: 'StateIo' });
    await expect(store.save(emptyState(1))).rejects.toMatchObject({ code: 'StateIo', message: expect.stringContaining('no write permission') });
  });
});
