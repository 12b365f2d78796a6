import fc from 'fast-check';
import { Ledger } from '../../../lib/decide/ledger';
import { failedKey, recoveredKey } from '../../../lib/events/keys';
import { rowKey } from '../../../lib/identity';
import { emptyState, type MonitorState } from '../../../lib/state/schema';
import { formatApiTime } from '../../../lib/vod/time';
import type { RefreshTask } from '../../../lib/vod/types';
import { silentLogger } from '../../helpers/fakes';
import { logSink } from '../../helpers/sink';

const NOW = Date.parse('2026-11-28T12:00:00Z');
const MIN = 60_000;
const URL = 'http://v.example.com/a.mp4';
const ctx = { nowMs: NOW, listSinceMs: -Infinity, stuckAfterMs: 30 * MIN, legacyBeforeMs: null, wanted: () => true };

function row(taskId: string, status: string, ageMin: number): RefreshTask {
  const createdAtMs = NOW - ageMin * MIN;
  return {
    taskId,
    objectPath: URL,
    objectType: 'file',
    status,
    process: '',
    creationTime: formatApiTime(createdAtMs),
    createdAtMs,
    description: status === 'Failed' ? 'Origin Timeout' : null,
  };
}

/** One run of the ledger over `rows` (in that order), from `state`; returns the next state and the run's events. */
function run(state: MonitorState, rows: RefreshTask[]) {
  const l = new Ledger(state, ctx, silentLogger());
  l.observe(rows);
  const d = l.finish();
  const reported = { ...state.reported };
  for (const e of d.events) reported[e.key] = NOW + 3 * 86_400_000;
  return { state: { ...state, watching: d.watching, failedPaths: d.failedPaths, recoveredPaths: d.recoveredPaths, reported }, events: d.events };
}

describe('the ledger: one recovery per URL per outage', () => {
  it('a URL that failed twice under two task ids and then completed is recovered once, whatever runs read the rows again', () => {
    const f1 = row('7001', 'Failed', 40);
    const f2 = row('7002', 'Failed', 20);
    const ok = row('7003', 'Complete', 5);
    let s = run(emptyState(NOW), [f1]).state;
    s = run(s, [f2]).state;
    const first = run(s, [f1, f2, ok]);
    // Later runs read the same rows again (their overlap, a widened read, a recovery check), in any order.
    const again = [run(first.state, [f1, ok]), run(first.state, [ok, f1, f2]), run(run(first.state, [f1]).state, [ok])];
    const recoveries = [first, ...again].flatMap((r) => r.events.filter((e) => e.kind === 'recovered'));
    expect(recoveries.map((e) => e.key)).toEqual([recoveredKey(rowKey('7002', URL))]);
  });

  it('a failure after the recovery is a new outage: followed again, and recovered again (property: any order of re-reads)', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }), (order) => {
        const rows = [row('7001', 'Failed', 50), row('7002', 'Complete', 40), row('7003', 'Failed', 30)];
        let s = run(emptyState(NOW), [rows[0]!]).state;
        s = run(s, [rows[1]!]).state;
        const later = run(
          s,
          order.map((i) => rows[i]!),
        );
        expect(later.state.failedPaths[URL]?.taskId).toBe('7003');
        expect(later.events.map((e) => e.key)).toEqual([failedKey(rowKey('7003', URL))]);
        const fixed = run(later.state, [row('7004', 'Complete', 10), ...order.map((i) => rows[i]!)]);
        expect(fixed.events.filter((e) => e.kind === 'recovered').map((e) => e.key)).toEqual([recoveredKey(rowKey('7003', URL))]);
      }),
    );
  });
});

describe("the ledger's questions and the recovery checks it keeps", () => {
  const watchedRow = (status: string, ageMin: number) => {
    const r = row('7001', status, ageMin);
    const createdAtMs = r.createdAtMs!;
    return {
      task: {
        taskId: r.taskId,
        objectPath: r.objectPath,
        objectType: 'file',
        status,
        description: null,
        creationTime: r.creationTime,
        domain: 'v.example.com',
      },
      createdAtMs,
      firstSeenMs: createdAtMs,
      checkedAtMs: createdAtMs,
      stuckAtMs: null,
    };
  };
  const KEY = rowKey('7001', URL);
  const failure = (checkedToMs: number) => ({
    key: rowKey('7000', URL),
    taskId: '7000',
    objectType: 'file',
    createdAtMs: NOW - 60 * MIN,
    description: null,
    checkedToMs,
  });

  it('seen, watches, pendingNow: what this run read, what is watched, and a watched row read and not Refreshing', () => {
    const s = { ...emptyState(NOW), watching: { [KEY]: watchedRow('Pending', 10) } };
    const l = new Ledger(s, ctx, silentLogger());
    expect([l.seen(KEY), l.watches(KEY), l.pendingNow(KEY)]).toEqual([false, true, false]);
    l.observe([row('7001', 'Pending', 10)]);
    expect([l.seen(KEY), l.watches(KEY), l.pendingNow(KEY)]).toEqual([true, true, true]);
    const r = new Ledger({ ...emptyState(NOW), watching: { [KEY]: watchedRow('Refreshing', 10) } }, ctx, silentLogger());
    r.observe([row('7001', 'Refreshing', 10)]);
    expect(r.pendingNow(KEY)).toBe(false);
    const done = new Ledger(s, ctx, silentLogger());
    done.observe([row('7001', 'Complete', 10)]);
    expect([done.seen(KEY), done.watches(KEY), done.pendingNow(KEY)]).toEqual([true, false, false]);
  });

  it('checked: a watched row looked up and unchanged is stamped now; one read this run keeps what the read said', () => {
    const s = { ...emptyState(NOW), watching: { [KEY]: watchedRow('Refreshing', 10), other: watchedRow('Refreshing', 12) } };
    const l = new Ledger(s, ctx, silentLogger());
    l.checked([KEY, 'not-watched']);
    const d = l.finish();
    expect(d.watching[KEY]!.checkedAtMs).toBe(NOW);
    expect(d.watching.other!.checkedAtMs).toBe(NOW - 12 * MIN);
    const read = new Ledger(s, ctx, silentLogger());
    read.observe([row('7001', 'Refreshing', 10)]);
    const before = read.finish().watching[KEY]!.checkedAtMs;
    const again = new Ledger(s, ctx, silentLogger());
    again.observe([row('7001', 'Refreshing', 10)]);
    again.checked([KEY]);
    expect(again.finish().watching[KEY]!.checkedAtMs).toBe(before);
  });

  it('vanished: a watched row the API no longer holds is dropped, counted and logged; anything else changes nothing', () => {
    const sink = logSink();
    const s = { ...emptyState(NOW), watching: { [KEY]: watchedRow('Refreshing', 10) } };
    const l = new Ledger(s, ctx, sink.logger);
    l.vanished('never-watched');
    l.vanished(KEY);
    l.vanished(KEY);
    const d = l.finish();
    expect(d.watching).toEqual({});
    expect(d.dropped).toBe(1);
    expect(sink.records().filter((r) => r.event === 'watch-dropped')).toEqual([
      expect.objectContaining({ rowKey: KEY, reason: 'vanished', msg: 'the API no longer holds a watched row' }),
    ]);
  });

  it('unreadable: a watched row that cannot be read is decided on its last facts: past the threshold, stuck', () => {
    const s = { ...emptyState(NOW), watching: { [KEY]: watchedRow('Refreshing', 40), young: watchedRow('Refreshing', 10) } };
    const l = new Ledger(s, ctx, silentLogger());
    l.unreadable(KEY);
    l.unreadable('young');
    l.unreadable('unknown');
    const d = l.finish();
    expect(d.events.map((e) => [e.kind, e.key])).toEqual([['stuck', `stuck:${KEY}`]]);
    expect(d.verdicts.stuck).toBe(1);
    expect(d.verdicts.watching).toBe(1);
  });

  it('countHistory: a first run counts old failures by type; a count of none adds nothing', () => {
    const l = new Ledger(emptyState(NOW), ctx, silentLogger());
    l.countHistory('file', 0, NOW - 3000 * MIN, NOW - 60 * MIN);
    expect(l.finish().events).toEqual([]);
    const m = new Ledger(emptyState(NOW), ctx, silentLogger());
    m.countHistory('file', 3, NOW - 3000 * MIN, NOW - 60 * MIN);
    m.countHistory('preload', 0, NOW - 4000 * MIN, NOW - 10 * MIN);
    expect(m.finish().events).toEqual([
      expect.objectContaining({ kind: 'backlog', count: 3, byType: { file: 3 }, sinceMs: NOW - 3000 * MIN, untilMs: NOW - 60 * MIN }),
    ]);
  });

  it("recoveryChecked moves a failed URL's check forward only, and never before what the coverage already says", () => {
    const s = { ...emptyState(NOW), failedPaths: { [URL]: failure(NOW - 30 * MIN) }, recoveryCoverage: { fromMs: NOW - 30 * MIN, toMs: NOW - 20 * MIN } };
    const l = new Ledger(s, ctx, silentLogger());
    l.recoveryChecked('http://not.followed/x', NOW);
    l.recoveryChecked(URL, NOW - 25 * MIN);
    expect(l.failures()).toEqual([[URL, { ...failure(NOW - 20 * MIN) }]]);
    l.recoveryChecked(URL, NOW - 5 * MIN);
    expect(l.failures()).toEqual([[URL, failure(NOW - 5 * MIN)]]);
  });

  it('failures: each followed URL with its check carried on by the coverage, the entry itself when nothing changes', () => {
    const f = failure(NOW - 50 * MIN);
    const s = { ...emptyState(NOW), failedPaths: { [URL]: f } };
    expect(new Ledger(s, ctx, silentLogger()).failures()[0]![1]).toBe(s.failedPaths[URL]);
    const covered = { ...s, recoveryCoverage: { fromMs: NOW - 50 * MIN, toMs: NOW - 10 * MIN } };
    expect(new Ledger(covered, ctx, silentLogger()).failures()).toEqual([[URL, failure(NOW - 10 * MIN)]]);
  });

  it('a check the coverage already holds, or a new coverage apart from URLs the old one never reached, writes nothing', () => {
    const s = { ...emptyState(NOW), failedPaths: { [URL]: failure(NOW - 30 * MIN) }, recoveryCoverage: { fromMs: NOW - 30 * MIN, toMs: NOW - 20 * MIN } };
    const l = new Ledger(s, ctx, silentLogger());
    l.recoveryChecked(URL, NOW - 25 * MIN);
    l.recoveryChecked(URL, NOW - 20 * MIN);
    expect(l.finish().failedPaths).toBe(s.failedPaths);
    const far = { ...s, failedPaths: { [URL]: failure(NOW - 200 * MIN) } };
    const m = new Ledger(far, ctx, silentLogger());
    m.coverRecoveries(NOW - 10 * MIN, NOW - 5 * MIN);
    const d = m.finish();
    expect(d.recoveryCoverage).toEqual({ fromMs: NOW - 10 * MIN, toMs: NOW - 5 * MIN });
    expect(d.failedPaths).toBe(far.failedPaths);
  });

  it('vanished frees its place under the watch cap', () => {
    const s = { ...emptyState(NOW), watching: { [KEY]: watchedRow('Refreshing', 10) } };
    const l = new Ledger(s, ctx, silentLogger(), 1);
    l.vanished(KEY);
    const next = { ...row('7002', 'Refreshing', 5) };
    l.observe([next]);
    expect(Object.keys(l.finish().watching)).toEqual([rowKey('7002', URL)]);
  });

  it('a listing counted in its own scope counts only once committed (a listing cut short is counted again whole, later)', () => {
    const lookback = { ...ctx, listSinceMs: NOW - 60 * MIN };
    const old = [row('7001', 'Failed', 90), row('7002', 'Failed', 100)];
    const cut = new Ledger(emptyState(NOW), lookback, silentLogger());
    cut.observe(old, cut.historyScope());
    expect(cut.finish().events).toEqual([]);
    const whole = new Ledger(emptyState(NOW), lookback, silentLogger());
    const scope = whole.historyScope();
    whole.observe(old, scope);
    whole.commitHistory(scope);
    expect(whole.finish().events).toEqual([
      expect.objectContaining({ kind: 'backlog', count: 2, byType: { file: 2 }, sinceMs: NOW - 100 * MIN, untilMs: NOW - 90 * MIN }),
    ]);
  });

  it('a watched row that failed before the lookback is a new failure: it was watched, so on-call must hear of it', () => {
    const s = { ...emptyState(NOW), watching: { [KEY]: watchedRow('Refreshing', 90) } };
    const d = new Ledger(s, { ...ctx, listSinceMs: NOW - 60 * MIN }, silentLogger());
    d.observe([row('7001', 'Failed', 90)]);
    expect(d.finish().events).toEqual([expect.objectContaining({ kind: 'failed', key: failedKey(KEY) })]);
  });

  it('coverRecoveries: a whole read joins the coverage; one apart writes the old coverage into the URLs first', () => {
    const s = { ...emptyState(NOW), failedPaths: { [URL]: failure(NOW - 50 * MIN), far: failure(NOW - 200 * MIN) } };
    const l = new Ledger(s, ctx, silentLogger());
    l.coverRecoveries(NOW - 50 * MIN, NOW - 40 * MIN);
    l.coverRecoveries(NOW - 40 * MIN, NOW - 30 * MIN);
    expect(l.finish().recoveryCoverage).toEqual({ fromMs: NOW - 50 * MIN, toMs: NOW - 30 * MIN });
    l.coverRecoveries(NOW - 10 * MIN, NOW - 5 * MIN);
    const d = l.finish();
    expect(d.recoveryCoverage).toEqual({ fromMs: NOW - 10 * MIN, toMs: NOW - 5 * MIN });
    // the URL checked up to the old coverage keeps it; the one far before it is not carried
    expect(d.failedPaths[URL]!.checkedToMs).toBe(NOW - 30 * MIN);
    expect(d.failedPaths.far!.checkedToMs).toBe(NOW - 200 * MIN);
  });

  it('each decision is logged (debug) with its verdict, row and status', () => {
    const sink = logSink();
    const l = new Ledger(emptyState(NOW), ctx, sink.logger);
    l.observe([row('7001', 'Failed', 5)]);
    expect(sink.records().filter((r) => r.event === 'verdict')).toEqual([
      expect.objectContaining({ verdict: 'new-failure', taskId: '7001', rowKey: KEY, status: 'Failed', msg: 'row new-failure' }),
    ]);
  });

  it('a row without a creation time is decided as of its watched creation, else as of now', () => {
    const noTime = { ...row('7001', 'Refreshing', 0), createdAtMs: null, creationTime: null } as unknown as RefreshTask;
    const s = { ...emptyState(NOW), watching: { [KEY]: watchedRow('Refreshing', 40) } };
    const l = new Ledger(s, ctx, silentLogger());
    l.observe([noTime]);
    expect(l.finish().events.map((e) => e.kind)).toEqual(['stuck']);
    const fresh = new Ledger(emptyState(NOW), ctx, silentLogger());
    fresh.observe([noTime]);
    expect(fresh.finish().events).toEqual([]);
  });

  it('a legacy v1 failure of a task id it knew counts as reported', () => {
    const s = { ...emptyState(NOW), legacyIds: { '7001': 1 } };
    const l = new Ledger(s, { ...ctx, legacyBeforeMs: NOW }, silentLogger());
    l.observe([row('7001', 'Failed', 5), row('7002', 'Failed', 5)]);
    const d = l.finish();
    expect(d.verdicts['legacy-reported']).toBe(1);
    expect(d.events.filter((e) => e.kind === 'failed').map((e) => e.key)).toEqual([failedKey(rowKey('7002', URL))]);
  });
});
