import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { FileStateStore } from '../../lib/state/file-store';
import { emptyState, StateError } from '../../lib/state/schema';

const fresh = () => path.join(mkdtempSync(path.join(tmpdir(), 'vrm-state-')), 'sub', 'state.json');
const NOW = Date.parse('2026-11-28T12:00:00Z');

describe('FileStateStore', () => {
  it('returns null on a first run and round-trips a saved state', async () => {
    const store = new FileStateStore(fresh());
    expect(await store.load(NOW)).toBeNull();
    const s = { ...emptyState(1), frontierMs: 42, reported: { 'failed:1/x': 99 } };
    await store.save(s);
    expect(await store.load(NOW)).toEqual({ state: s, migratedFrom: null });
    expect(readdirSync(path.dirname(store.location))).toEqual(['state.json']);
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
    mkdirSync(path.join(dir, 'ro'));
    chmodSync(path.join(dir, 'ro'), 0o500);
    const store = new FileStateStore(path.join(dir, 'ro', 'state.json'));
    if (process.getuid?.() === 0) return; // root writes anywhere: nothing to check here
    await expect(store.probeWritable()).rejects.toMatchObject({ code: 'StateIo' });
    await expect(store.save(emptyState(1))).rejects.toMatchObject({ code: 'StateIo', message: expect.stringContaining('no write permission') });
  });

  it('lets one runner hold the lock, and takes over an expired one', async () => {
    const file = fresh();
    const a = new FileStateStore(file);
    const b = new FileStateStore(file);
    expect(await a.lock(60_000, NOW)).toEqual({ held: true });
    expect((await b.lock(60_000, NOW + 1000)).held).toBe(false);
    expect(await b.lock(60_000, NOW + 60_001)).toEqual({ held: true });
    await a.unlock(); // a no longer owns it: b's lock stays
    expect((await a.lock(60_000, NOW + 70_000)).held).toBe(false);
    await b.unlock();
    expect(await a.lock(60_000, NOW + 70_000)).toEqual({ held: true });
  });

  it.each([
    ['expired', (now: number) => ({ token: '11111111-1111-1111-1111-111111111111', host: 'other', pid: 1, expiresAtMs: now - 1 })],
    [
      'claiming a lifetime no run has (a clock that ran ahead)',
      (now: number) => ({ token: '22222222-2222-2222-2222-222222222222', host: 'other', pid: 1, expiresAtMs: now + 365 * 86_400_000 }),
    ],
    ['unreadable', () => 'garbage{'],
    [
      'held by a dead process of this host',
      (now: number) => ({ token: '33333333-3333-3333-3333-333333333333', host: hostname(), pid: 2 ** 22 + 12345, expiresAtMs: now + 60_000 }),
    ],
  ])('four invocations at once against a lock that is %s: exactly one takes it over', async (_n, lock) => {
    const file = fresh();
    const dir = path.dirname(file);
    mkdirSync(dir, { recursive: true });
    const content = lock(NOW);
    writeFileSync(`${file}.lock`, typeof content === 'string' ? content : JSON.stringify(content));
    const stores = Array.from({ length: 4 }, () => new FileStateStore(file));
    const results = await Promise.all(stores.map((s) => s.lock(60_000, NOW)));
    expect(results.filter((r) => r.held)).toHaveLength(1);
  });

  it('a live lock of another host is respected', async () => {
    const file = fresh();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(`${file}.lock`, JSON.stringify({ token: '44444444-4444-4444-4444-444444444444', host: 'other', pid: 1, expiresAtMs: NOW + 30_000 }));
    expect(await new FileStateStore(file).lock(60_000, NOW)).toEqual({
      held: false,
      holder: { token: '44444444-4444-4444-4444-444444444444', host: 'other', pid: 1, expiresAtMs: NOW + 30_000 },
    });
  });
});
