import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ledger } from '../../lib/decide/ledger';
import { rowKey } from '../../lib/identity';
import { parseState } from '../../lib/state/migrate';
import { STATE_VERSION } from '../../lib/state/schema';
import { silentLogger } from '../helpers/fakes';

/** A state file written by the v1 build (commit 5ecd69f): two failures delivered, one waiting for the robot, one task refreshing. */
const V1 = readFileSync(path.join(__dirname, '../fixtures/state-v1.json'), 'utf8');
const v1 = JSON.parse(V1);
const NOW = v1.lastRun.atMs + 5 * 60_000;

describe('the v1 -> v2 migration, on a real v1 file', () => {
  const { state, migratedFrom } = parseState(V1, NOW);

  it('is read and converted, and says so', () => {
    expect(migratedFrom).toBe(1);
    expect(state.version).toBe(STATE_VERSION);
    expect(state.frontierMs).toBe(v1.watermarkMs);
    expect(state.scanned).toBe(true);
  });

  it('keeps what was delivered as delivered, under the row key of the URL v1 named', () => {
    expect(Object.keys(state.reported).sort()).toEqual(
      [`failed:${rowKey('700100001', 'http://video.example.com/v1/a.mp4')}`, `failed:${rowKey('700100002', 'http://vod.example.cn/v1/b.mp4')}`].sort(),
    );
    expect(state.legacyIds).toEqual({});
  });

  it('loses nothing waiting in the outbox', () => {
    expect(state.outbox.map((o) => o.event.key)).toEqual([`failed:${rowKey('700100004', 'http://media.example.net/v1/c.m3u8')}`]);
    expect(state.outbox[0]).toMatchObject({ queuedAtMs: v1.outbox[0].queuedAtMs, uncertain: 0, refusals: 0 });
  });

  it('keeps watching the refreshing task, now by row', () => {
    expect(Object.keys(state.watching)).toEqual([rowKey('700100003', 'http://video.example.com/v1/refreshing.mp4')]);
  });

  it('reports nothing again: the delivered failures seen again are already reported', () => {
    const ledger = new Ledger(
      state,
      { nowMs: NOW, listSinceMs: -Infinity, stuckAfterMs: 30 * 60_000, legacyBeforeMs: state.legacyBeforeMs, wanted: () => true },
      silentLogger(),
    );
    const row = (taskId: string, objectPath: string) => ({
      taskId,
      objectPath,
      objectType: 'file',
      status: 'Failed',
      process: '0%',
      creationTime: '2026-11-28T17:09:20Z',
      createdAtMs: Date.parse('2026-11-28T17:09:20Z'),
      description: 'Origin Timeout',
    });
    ledger.observe([
      row('700100001', 'http://video.example.com/v1/a.mp4'),
      row('700100002', 'http://vod.example.cn/v1/b.mp4'),
      row('700100004', 'http://media.example.net/v1/c.m3u8'),
    ]);
    expect(ledger.finish(NOW).events).toEqual([]);
  });

  it('keeps a v1 key whose URL v1 no longer names as a task id: its failed URLs count as reported, once, in a notice', () => {
    const lost = JSON.parse(V1);
    delete lost.failedPaths['http://video.example.com/v1/a.mp4'];
    const s = parseState(JSON.stringify(lost), NOW).state;
    expect(s.legacyIds).toEqual({ '700100001': v1.reported['failed:700100001'] });
    const ledger = new Ledger(
      s,
      { nowMs: NOW, listSinceMs: -Infinity, stuckAfterMs: 30 * 60_000, legacyBeforeMs: s.legacyBeforeMs, wanted: () => true },
      silentLogger(),
    );
    const sibling = {
      taskId: '700100001',
      objectPath: 'http://video.example.com/v1/a-sibling.mp4',
      objectType: 'file',
      status: 'Failed',
      process: '0%',
      creationTime: '2026-11-28T17:09:20Z',
      createdAtMs: Date.parse('2026-11-28T17:09:20Z'),
      description: 'Origin Timeout',
    };
    ledger.observe([sibling]);
    const events = ledger.finish(NOW).events;
    expect(events.filter((e) => e.kind === 'failed')).toEqual([]);
    expect(events).toEqual([expect.objectContaining({ kind: 'notice', code: 'LegacyReported' })]);
  });

  it('refuses a v1 file of the wrong shape as corrupt, and an unknown version by name', () => {
    expect(() => parseState(JSON.stringify({ ...v1, outbox: 'x' }), NOW)).toThrow(/version 1: outbox/);
    expect(() => parseState('{"version":9}', NOW)).toThrow(/version 9; this build reads versions 1 and 2/);
  });
});
