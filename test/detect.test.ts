import fc from 'fast-check';
import { detect, markDelivered, nextHealth, KEY_TTL_MS, type DetectInput } from '../lib/detect';
import { emptyState, type MonitorState } from '../lib/state/schema';
import { formatApiTime } from '../lib/vod/time';
import type { RefreshTask } from '../lib/vod/types';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const MIN = 60_000;
const config = { stuckAfterMs: 30 * MIN, firstRunLookbackMs: 60 * MIN };

function task(id: string, status: string, ageMin: number, extra: Partial<RefreshTask> = {}): RefreshTask {
  const createdAtMs = NOW - ageMin * MIN;
  return { taskId: id, objectPath: `http://video.example.com/${id}.mp4`, objectType: 'file', status, process: '0%', creationTime: formatApiTime(createdAtMs), createdAtMs, description: status === 'Failed' ? 'Origin Timeout' : null, ...extra };
}

function run(state: MonitorState, tasks: RefreshTask[], over: Partial<DetectInput> = {}) {
  return detect({ state, firstRun: false, tasks, vanished: [], completeScanEndMs: NOW, nowMs: NOW, config, ...over });
}

const stateWith = (patch: Partial<MonitorState>): MonitorState => ({ ...emptyState(NOW - 3600_000), watermarkMs: NOW - 5 * MIN, ...patch });

describe('detect: one task, one verdict', () => {
  it.each<[string, MonitorState, RefreshTask, string, string[]]>([
    ['a new failure', stateWith({}), task('1', 'Failed', 3), 'new-failure', ['failed']],
    ['a failure already delivered', stateWith({ reported: { 'failed:1': NOW + KEY_TTL_MS } }), task('1', 'Failed', 3), 'already-reported', []],
    ['a failure waiting in the outbox', stateWith({ outbox: [{ event: { kind: 'failed', key: 'failed:1', task: { taskId: '1', objectPath: '', objectType: 'file', status: 'Failed', description: null, creationTime: null, domain: '' } }, queuedAtMs: NOW - MIN }] }), task('1', 'Failed', 3), 'already-reported', []],
    ['a task refreshing for 10 minutes', stateWith({}), task('1', 'Refreshing', 10), 'watching', []],
    ['a task pending for 31 minutes', stateWith({}), task('1', 'Pending', 31), 'stuck', ['stuck']],
    ['a stuck task already reported', stateWith({ reported: { 'stuck:1': NOW + KEY_TTL_MS } }), task('1', 'Refreshing', 45), 'watching', []],
    ['a task with an unknown status for 40 minutes', stateWith({}), task('1', 'Queued', 40), 'stuck', ['stuck']],
    ['a completed task', stateWith({}), task('1', 'Complete', 3), 'complete', []],
    [
      'a completed refresh of a failed path',
      stateWith({ failedPaths: { 'http://video.example.com/1.mp4': { taskId: '0', createdAtMs: NOW - 20 * MIN, description: 'Internal Error' } } }),
      task('1', 'Complete', 3),
      'recovered',
      ['recovered'],
    ],
    [
      'a completed refresh older than the failure',
      stateWith({ failedPaths: { 'http://video.example.com/1.mp4': { taskId: '0', createdAtMs: NOW - 2 * MIN, description: 'Internal Error' } } }),
      task('1', 'Complete', 3),
      'complete',
      [],
    ],
  ])('%s', (_name, state, t, verdict, kinds) => {
    const out = run(state, [t]);
    expect(out.verdicts.get(t.taskId)).toBe(verdict);
    expect(out.newEvents.map((e) => e.kind)).toEqual(kinds);
  });
});

describe('detect: across runs', () => {
  it('catches a task that was Refreshing and fails an hour later', () => {
    const a = run(stateWith({}), [task('7', 'Refreshing', 2)]);
    expect(Object.keys(a.state.watching)).toEqual(['7']);
    const later = { ...task('7', 'Failed', 62) };
    const b = detect({ state: a.state, firstRun: false, tasks: [later], vanished: [], completeScanEndMs: NOW, nowMs: NOW, config });
    expect(b.newEvents.map((e) => e.key)).toEqual(['failed:7']);
    expect(b.state.watching).toEqual({});
  });

  it('keeps the watermark when the scan was not complete', () => {
    const out = run(stateWith({ watermarkMs: 123 }), [], { completeScanEndMs: null });
    expect(out.state.watermarkMs).toBe(123);
  });

  it('drops watched tasks the API no longer holds and those past the 3-day window', () => {
    const watching = {
      a: { task: { taskId: 'a', objectPath: '', objectType: 'file', status: 'Refreshing', description: null, creationTime: null, domain: '' }, createdAtMs: NOW - 10 * MIN },
      b: { task: { taskId: 'b', objectPath: '', objectType: 'file', status: 'Refreshing', description: null, creationTime: null, domain: '' }, createdAtMs: NOW - 4 * 24 * 60 * MIN },
    };
    const out = run(stateWith({ watching }), [], { vanished: ['a'] });
    expect(out.state.watching).toEqual({});
    expect(out.dropped.sort()).toEqual(['a', 'b']);
  });

  it('forgets delivered keys once the API has forgotten their task', () => {
    const out = run(stateWith({ reported: { 'failed:old': NOW - 1, 'failed:new': NOW + 1 } }), []);
    expect(Object.keys(out.state.reported)).toEqual(['failed:new']);
  });
});

describe('detect: first run', () => {
  it('lists failures inside the lookback and counts older ones by Description', () => {
    const tasks = [task('1', 'Failed', 10), task('2', 'Failed', 120), task('3', 'Failed', 600, { description: 'Internal Error' }), task('4', 'Failed', 61)];
    const out = detect({ state: emptyState(NOW), firstRun: true, tasks, vanished: [], completeScanEndMs: NOW, nowMs: NOW, config });
    expect(out.newEvents.map((e) => e.kind)).toEqual(['failed', 'backlog']);
    const backlog = out.newEvents[1]!;
    expect(backlog).toMatchObject({ kind: 'backlog', count: 3, byDescription: { 'Origin Timeout': 2, 'Internal Error': 1 } });
    expect(Object.keys(out.state.reported).sort()).toEqual(['failed:2', 'failed:3', 'failed:4']);
  });
});

describe('health', () => {
  const down = { ok: false as const, code: 'OperationDenied.Suspended', message: 'suspended' };
  it('alerts when reading fails, stays quiet while it keeps failing, and alerts once on recovery', () => {
    let s = emptyState(NOW);
    const kinds: Array<string | null> = [];
    for (const outcome of [down, down, down, { ok: true as const }, { ok: true as const }]) {
      const h = nextHealth(s, outcome, NOW);
      kinds.push(h.event?.kind ?? null);
      s = h.state;
    }
    expect(kinds).toEqual(['health-down', null, null, 'health-up', null]);
  });
});

describe('invariants (property)', () => {
  const statuses = fc.constantFrom('Failed', 'Complete', 'Refreshing', 'Pending', 'Weird');
  const taskArb = fc.record({ id: fc.integer({ min: 1, max: 40 }).map(String), status: statuses, age: fc.integer({ min: 0, max: 4000 }) });

  it('over any sequence of observations every failure is queued exactly once, and delivered keys never come back', () => {
    fc.assert(
      fc.property(fc.array(fc.array(taskArb, { maxLength: 15 }), { minLength: 1, maxLength: 8 }), fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), (runs, delivers) => {
        let state = emptyState(NOW);
        const queued: string[] = [];
        const failedSeen = new Set<string>();
        runs.forEach((observed, i) => {
          const tasks = observed.map((o) => task(o.id, o.status, o.age));
          const out = detect({ state, firstRun: false, tasks, vanished: [], completeScanEndMs: NOW, nowMs: NOW, config });
          for (const t of tasks) if (t.status === 'Failed') failedSeen.add(t.taskId);
          queued.push(...out.newEvents.filter((e) => e.kind === 'failed').map((e) => e.key));
          state = out.state;
          if (delivers[i]) state = markDelivered(state, new Set(state.outbox.map((o) => o.event.key)), NOW);
        });
        expect(new Set(queued).size).toBe(queued.length);
        expect(new Set(queued)).toEqual(new Set([...failedSeen].map((id) => `failed:${id}`)));
        const pending = new Set(state.outbox.map((o) => o.event.key));
        for (const k of Object.keys(state.reported)) expect(pending.has(k)).toBe(false);
      }),
    );
  });
});
