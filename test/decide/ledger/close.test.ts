import fc from 'fast-check';
import { type Book, MAX_FAILED_PATHS, openBook } from '../../../lib/decide/ledger/book';
import { closeBook, PLAIN_WORDS } from '../../../lib/decide/ledger/close';
import { noticeKey } from '../../../lib/events/keys';
import { rowKey } from '../../../lib/identity';
import { emptyState, type FailedPath, type MonitorState, type WatchedRow } from '../../../lib/state/schema';
import { QUERY_WINDOW_MS } from '../../../lib/vod/time';
import { silentLogger } from '../../helpers/fakes';
import { logSink } from '../../helpers/sink';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const EDGE = NOW - QUERY_WINDOW_MS;
const task = { taskId: '1', objectPath: 'http://v.example.com/a.mp4', objectType: 'file', status: 'Refreshing', creationTime: null };
const watched = (createdAtMs: number) => ({ task, createdAtMs, firstSeenMs: createdAtMs, checkedAtMs: createdAtMs, stuckAtMs: null }) as unknown as WatchedRow;
const failed = (createdAtMs: number, i = 0): FailedPath => ({
  key: `failed:${i}`,
  taskId: String(i),
  objectType: 'file',
  createdAtMs,
  description: null,
  checkedToMs: createdAtMs,
});
const state = (over: Partial<MonitorState>): MonitorState => ({ ...emptyState(NOW), ...over });
const close = (book: Book, logger = silentLogger()) => closeBook(book, NOW, logger, PLAIN_WORDS);

// Creation times around the edge of the API's 3 days, the edge itself included.
const AROUND_EDGE = fc.oneof(fc.constant(EDGE), fc.constant(EDGE - 1), fc.constant(EDGE + 1), fc.integer({ min: EDGE - 86_400_000, max: NOW }));

describe('closeBook: what is older than the API keeps is let go, the rest kept', () => {
  it('property: watched rows, failed URLs and recoveries created before now - 3 days go (the edge itself stays); dropped counts the rows', () => {
    fc.assert(
      fc.property(fc.array(AROUND_EDGE, { maxLength: 8 }), fc.array(AROUND_EDGE, { maxLength: 8 }), fc.array(AROUND_EDGE, { maxLength: 8 }), (w, f, r) => {
        const s = state({
          watching: Object.fromEntries(w.map((at, i) => [rowKey(String(i), `http://v.example.com/${i}`), watched(at)])),
          failedPaths: Object.fromEntries(f.map((at, i) => [`http://v.example.com/${i}`, failed(at, i)])),
          recoveredPaths: Object.fromEntries(r.map((at, i) => [`http://v.example.com/${i}`, at])),
        });
        const book = openBook(s);
        const d = close(book);
        const kept = (xs: number[]) => xs.map((at, i) => [i, at] as const).filter(([, at]) => at >= EDGE);
        expect(Object.values(d.watching).map((x) => x.createdAtMs)).toEqual(kept(w).map(([, at]) => at));
        expect(Object.keys(d.failedPaths)).toEqual(kept(f).map(([i]) => `http://v.example.com/${i}`));
        expect(Object.values(d.recoveredPaths)).toEqual(kept(r).map(([, at]) => at));
        expect(d.dropped).toBe(w.length - kept(w).length);
        expect(book.watchCount).toBe(kept(w).length);
      }),
    );
  });
});

describe('closeBook: the failed URLs followed are capped, the newest kept', () => {
  const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`http://v.example.com/${i}`, failed(NOW - i * 1000, i)]));

  it(`${MAX_FAILED_PATHS + 2} failed URLs: the newest ${MAX_FAILED_PATHS} kept, the cut logged with how many were let go`, () => {
    const log = logSink();
    const d = close(openBook(state({ failedPaths: many(MAX_FAILED_PATHS + 2) })), log.logger);
    expect(Object.keys(d.failedPaths)).toHaveLength(MAX_FAILED_PATHS);
    expect(d.failedPaths['http://v.example.com/0']).toBeDefined();
    expect(d.failedPaths[`http://v.example.com/${MAX_FAILED_PATHS - 1}`]).toBeDefined();
    expect(d.failedPaths[`http://v.example.com/${MAX_FAILED_PATHS}`]).toBeUndefined();
    const cut = log.records().filter((r) => r.event === 'failed-paths-cap');
    expect(cut).toEqual([expect.objectContaining({ level: 'warn', kept: MAX_FAILED_PATHS, dropped: 2, msg: expect.stringMatching(/oldest/) })]);
  });

  it(`exactly ${MAX_FAILED_PATHS}: nothing cut, nothing logged, the dictionary handed back as it was`, () => {
    const log = logSink();
    const s = state({ failedPaths: many(MAX_FAILED_PATHS) });
    const d = close(openBook(s), log.logger);
    expect(d.failedPaths).toBe(s.failedPaths);
    expect(log.records().filter((r) => r.event === 'failed-paths-cap')).toEqual([]);
  });
});

describe("closeBook: the run's summary notices", () => {
  it('legacy task ids: one notice counting every row, naming the first 10 ids with their counts', () => {
    const book = openBook(state({}));
    for (let i = 1; i <= 12; i++) book.legacy.set(`T${i}`, i);
    const d = close(book);
    const notice = d.events.filter((e) => e.kind === 'notice');
    expect(notice).toHaveLength(1);
    const e = notice[0] as Extract<(typeof notice)[number], { kind: 'notice' }>;
    expect(e.key).toBe(noticeKey('legacy', { at: NOW }));
    expect(e.code).toBe('LegacyReported');
    expect(e.message).toContain(`${(12 * 13) / 2} failed URL(s)`);
    expect(e.message).toMatch(/: T1 \(1\), T2 \(2\), T3 \(3\), .*, T10 \(10\)$/);
    expect(e.message).not.toContain('T11');
  });

  it('the watch limit: told once (plain words name the count, the cap and the command that lists them), logged as an error', () => {
    const log = logSink();
    const book = openBook(state({}), 5);
    book.notWatched = 3;
    const d = close(book, log.logger);
    const [e] = d.events;
    expect(d.events).toHaveLength(1);
    expect(e).toMatchObject({ kind: 'notice', key: noticeKey('watch-limit', { once: true }), code: 'WatchLimit' });
    const message = (e as { message: string }).message;
    expect(message).toMatch(/^3 unfinished URL\(s\) are not watched: the monitor already watches 5\. /);
    expect(message).toContain('npx vod-refresh-monitor tasks --status Refreshing');
    expect(log.records().filter((r) => r.level === 'error')).toEqual([
      expect.objectContaining({ event: 'watch-limit', notWatched: 3, max: 5, msg: expect.stringMatching(/watch limit/) }),
    ]);
    // Delivered already: a later run over the cap says nothing again.
    const told = openBook(state({ reported: { [e!.key]: NOW + 86_400_000 } }), 5);
    told.notWatched = 3;
    expect(close(told).events).toEqual([]);
  });
});
