// The ledger file plus the head's delta (lib/state/file-store.ts, lib/state/ledger-file.ts): over any sequence of
// saves — small changes, large ones, a reload, a head write that fails after the ledger's — what loads is the ledger
// of the last save whose head was written, or of a later one whose ledger file was (never a mix that loses a key).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { FileStateStore } from '../../lib/state/file-store';
import { emptyState, type MonitorState } from '../../lib/state/schema';
import { faultyFs } from '../helpers/faulty-fs';

const NOW = Date.parse('2026-12-03T10:00:00Z');
/** A small bound, so that a bulk change is a few keys: the rule is the same at any bound (MAX_DELTA in production). */
const MAX_DELTA = 8;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vrm-delta-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Step =
  | { op: 'change'; add: number; remove: number; bump: number }
  | { op: 'bulk' }
  | { op: 'reload' }
  | { op: 'headFails'; add: number }
  | { op: 'smallHeadFails'; add: number };
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('change' as const), add: fc.nat(5), remove: fc.nat(3), bump: fc.nat(3) }),
  fc.constant({ op: 'bulk' as const }),
  fc.constant({ op: 'reload' as const }),
  fc.record({ op: fc.constant('headFails' as const), add: fc.nat(3) }),
  fc.record({ op: fc.constant('smallHeadFails' as const), add: fc.integer({ min: 1, max: 3 }) }),
);

let counter = 0;
function changed(s: MonitorState, st: { add: number; remove?: number; bump?: number }): MonitorState {
  const reported = { ...s.reported };
  const keys = Object.keys(reported);
  for (const k of keys.slice(0, st.remove ?? 0)) delete reported[k];
  for (const k of keys.slice(st.remove ?? 0, (st.remove ?? 0) + (st.bump ?? 0))) reported[k] = reported[k]! + 1;
  for (let i = 0; i < st.add; i++) reported[`failed:${++counter}/u`] = NOW + counter;
  const watching = st.add ? { ...s.watching } : s.watching;
  return { ...s, reported, watching, frontierMs: (s.frontierMs ?? 0) + 1 };
}

it('loads exactly what was last saved, whatever mix of deltas, bulk rewrites, reloads and failed head writes came before', async () => {
  let run = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
      const disk = faultyFs([]);
      const file = path.join(dir, `p${++run}`, 'state.json');
      let store = new FileStateStore(file, disk.fs, MAX_DELTA);
      let saved: MonitorState = { ...emptyState(NOW), reported: { 'failed:0/u': NOW } };
      await store.save(saved);
      let current = saved;
      for (const s of steps) {
        if (s.op === 'reload') {
          store = new FileStateStore(file, disk.fs, MAX_DELTA);
          current = (await store.load(NOW))!.state;
          expect(current.reported).toEqual(saved.reported);
          continue;
        }
        if (s.op === 'headFails') {
          // The ledger file is written (many changes), then the head's write fails: the file is newer than the head.
          const next = changed(current, { add: MAX_DELTA + 1 + s.add });
          disk.faults.push({ ops: ['rename'], where: (f) => f.endsWith('state.json'), errno: 'EIO', times: 1 });
          await expect(store.save(next)).rejects.toThrow(/EIO/);
          saved = next; // its ledger reached the disk; the head's loss costs only head fields
          current = next;
          continue;
        }
        if (s.op === 'smallHeadFails') {
          // A few changes, the head's write fails. Either they stayed a delta (nothing reached the disk) or, with the
          // delta carried before them, they passed the bound and the ledger file was written first: then the disk
          // holds the newer ledger. Never anything else.
          const next = changed(current, { add: s.add });
          disk.faults.push({ ops: ['rename'], where: (f) => f.endsWith('state.json'), errno: 'EIO', times: 1 });
          await expect(store.save(next)).rejects.toThrow(/EIO/);
          const onDisk = (await new FileStateStore(file, undefined, MAX_DELTA).load(NOW))!.state.reported;
          expect([saved.reported, next.reported]).toContainEqual(onDisk);
          if (JSON.stringify(onDisk) === JSON.stringify(next.reported)) saved = next;
          current = next;
          continue;
        }
        const next = s.op === 'bulk' ? changed(current, { add: MAX_DELTA + 1 }) : changed(current, s);
        await store.save(next);
        saved = next;
        current = next;
      }
      const loaded = (await new FileStateStore(file, undefined, MAX_DELTA).load(NOW))!.state;
      expect(loaded.reported).toEqual(saved.reported);
    }),
    { numRuns: 60 },
  );
});
