import { chooseFollowUp, planScan, windowEdge } from '../lib/plan';
import { emptyState } from '../lib/state/schema';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const MIN = 60_000;
const watched = (createdAtMs: number) => ({ task: { taskId: 'w', objectPath: '', objectType: 'file', status: 'Refreshing', description: null, creationTime: null, domain: '' }, createdAtMs });

describe('planScan', () => {
  it('reads the whole 3-day window without state', () => {
    expect(planScan(null, NOW, 5 * MIN)).toMatchObject({ full: true, wideStartMs: windowEdge(NOW) });
  });
  it('reads the whole window when the watermark is older than the window', () => {
    expect(planScan({ ...emptyState(NOW), watermarkMs: NOW - 4 * 24 * 60 * MIN }, NOW, 0).full).toBe(true);
  });
  it('reads since the watermark less the overlap', () => {
    const p = planScan({ ...emptyState(NOW), watermarkMs: NOW - 5 * MIN }, NOW, 5 * MIN);
    expect(p).toMatchObject({ full: false, newSinceMs: NOW - 10 * MIN, wideStartMs: NOW - 10 * MIN, endMs: NOW });
  });
  it('widens to the oldest watched task', () => {
    const p = planScan({ ...emptyState(NOW), watermarkMs: NOW - 5 * MIN, watching: { w: watched(NOW - 45 * MIN) } }, NOW, 5 * MIN);
    expect(p.wideStartMs).toBe(NOW - 45 * MIN - 1000);
    expect(p.watchedIds).toEqual(['w']);
  });
});

describe('chooseFollowUp', () => {
  it.each([
    ['page 1 covered the new tasks; 2 watched unseen vs 9 more pages', { totalCount: 500, newCovered: true, unseenWatched: ['a', 'b'], wideEqualsNew: false }, 'lookup'],
    ['page 1 covered the new tasks; 12 watched unseen vs 1 more page', { totalCount: 60, newCovered: true, unseenWatched: 'abcdefghijkl'.split(''), wideEqualsNew: false }, 'read-wide'],
    ['new tasks span pages; the windows are the same', { totalCount: 500, newCovered: false, unseenWatched: ['a'], wideEqualsNew: true }, 'read-wide'],
    ['new tasks span pages; an old stuck task outside them', { totalCount: 500, newCovered: false, unseenWatched: ['a'], wideEqualsNew: false }, 'read-new-then-old'],
  ])('%s -> %s', (_n, input, kind) => {
    expect(chooseFollowUp({ pageSize: 50, ...input }).kind).toBe(kind);
  });
});
