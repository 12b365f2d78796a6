import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileStateStore } from '../../lib/state/file-store';
import { emptyState, StateError } from '../../lib/state/schema';

const fresh = () => path.join(mkdtempSync(path.join(tmpdir(), 'vrm-state-')), 'sub', 'state.json');

describe('FileStateStore', () => {
  it('returns null on a first run and round-trips a saved state', async () => {
    const store = new FileStateStore(fresh());
    expect(await store.load()).toBeNull();
    const s = { ...emptyState(1), watermarkMs: 42, reported: { 'failed:1': 99 } };
    await store.save(s);
    expect(await store.load()).toEqual(s);
    expect(readdirSync(path.dirname(store.location))).toEqual(['state.json']);
  });

  it.each([
    ['truncated', '{"version":1,"watermark', 'StateCorrupt'],
    ['from the future', '{"version":2}', 'StateVersionUnknown'],
    ['of the wrong shape', JSON.stringify({ ...emptyState(1), reported: [] }), 'StateCorrupt'],
    ['empty', '', 'StateCorrupt'],
  ])('refuses a %s file and keeps it aside untouched', async (_n, text, code) => {
    const file = fresh();
    const store = new FileStateStore(file);
    await store.save(emptyState(1));
    writeFileSync(file, text);
    const err = await store.load().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StateError);
    expect((err as StateError).code).toBe(code);
    const kept = (err as StateError).keptAt!;
    expect(readFileSync(kept, 'utf8')).toBe(text);
    expect(await store.load()).toBeNull();
  });

  it('lets one runner hold the lock, and takes over an expired one', async () => {
    const file = fresh();
    const a = new FileStateStore(file);
    const b = new FileStateStore(file);
    expect(await a.lock(60_000, 1000)).toBe(true);
    expect(await b.lock(60_000, 2000)).toBe(false);
    expect(await b.lock(60_000, 1000 + 60_001)).toBe(true);
    await a.unlock(); // a no longer owns it: b's lock stays
    expect(await a.lock(60_000, 70_000)).toBe(false);
    await b.unlock();
    expect(await a.lock(60_000, 70_000)).toBe(true);
  });
});
