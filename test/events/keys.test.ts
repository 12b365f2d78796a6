import fc from 'fast-check';
import {
  backlogKey,
  blindKey,
  digestKey,
  expiryOf,
  failedKey,
  healthDownKey,
  healthUpKey,
  isFailedKey,
  KEY_TTL_MS,
  mutedSummaryKey,
  NOTICE_TTL_MS,
  noticeKey,
  recoveredKey,
  reminderKey,
  resubmittedKey,
  rowKeyExpiry,
  stateResetKey,
  stuckKey,
  v1FailedTaskId,
} from '../../lib/events/keys';
import type { AlertEvent, TaskFacts } from '../../lib/events/schema';
import { formatApiTime, QUERY_WINDOW_MS } from '../../lib/vod/time';

const T0 = Date.parse('2026-11-28T12:00:00Z');
const HOUR = 3600_000;
const ROW = '7001 http://v.example.com/a.mp4';

const task = (creationTime: string | null): TaskFacts => ({
  taskId: '7001',
  objectPath: 'http://v.example.com/a.mp4',
  objectType: 'file',
  status: 'Failed',
  description: null,
  creationTime,
  domain: 'v.example.com',
});
const notice = (key: string): AlertEvent => ({ kind: 'notice', key, code: 'Quota', message: 'our words' });

describe('the key shapes are the state files of earlier builds: each stays what it was', () => {
  it.each([
    [failedKey(ROW), `failed:${ROW}`],
    [stuckKey(ROW), `stuck:${ROW}`],
    [recoveredKey(ROW), `recovered:${ROW}`],
    [reminderKey(ROW, 2), `reminder:${ROW}:2`],
    [resubmittedKey(ROW, 3), `resubmitted:${ROW}:3`],
    [noticeKey('quota', { once: true }), 'notice:quota'],
    [noticeKey('quota', { day: '2026-11-28' }), 'notice:quota:2026-11-28'],
    [noticeKey('dropped', { at: T0 }), `notice:dropped:${T0}`],
    [healthDownKey(T0), `health-down:${T0}`],
    [healthUpKey(T0), `health-up:${T0}`],
    [blindKey(T0), `blind:${T0}`],
    [backlogKey(T0), `backlog:${T0}`],
    [stateResetKey(T0), `state-reset:${T0}`],
    [mutedSummaryKey('night|ops', T0), `muted-summary:night|ops:${T0}`],
    [digestKey('2026-11-28', 'ops'), 'digest:2026-11-28:ops'],
  ])('%s', (key, shape) => {
    expect(key).toBe(shape);
  });

  it('a row key is remembered an hour past the 3 days the API lists the row; a notice a day', () => {
    expect(KEY_TTL_MS).toBe(QUERY_WINDOW_MS + HOUR);
    expect(NOTICE_TTL_MS).toBe(24 * HOUR);
  });
});

describe("a row's key expires KEY_TTL_MS after the row's creation", () => {
  it('from the creation time the API gave', () => {
    const created = T0 - 5 * HOUR;
    expect(rowKeyExpiry(task(formatApiTime(created)), T0)).toBe(created + KEY_TTL_MS);
  });

  it.each([
    ['no creation time', null],
    ['an empty one', ''],
    ['one that is no time', 'yesterday'],
  ])('from now, when the row has %s', (_, creationTime) => {
    expect(rowKeyExpiry(task(creationTime), T0)).toBe(T0 + KEY_TTL_MS);
  });
});

describe('expiryOf: how long a delivered key is kept', () => {
  it('an alert about a row: as long as its row', () => {
    const created = T0 - 2 * HOUR;
    const e: AlertEvent = { kind: 'failed', key: failedKey(ROW), task: task(formatApiTime(created)) };
    expect(expiryOf(e, T0)).toBe(created + KEY_TTL_MS);
  });

  it('a notice told once, or once a day: a day from its delivery', () => {
    expect(expiryOf(notice(noticeKey('quota', { once: true })), T0)).toBe(T0 + NOTICE_TTL_MS);
    expect(expiryOf(notice(noticeKey('quota', { day: '2026-11-28' })), T0)).toBe(T0 + NOTICE_TTL_MS);
    // an outage notice told once names its start inside the topic: it is not a notice of one moment
    expect(expiryOf(notice(noticeKey(`state-io:${T0}:read:EIO`, { once: true })), T0)).toBe(T0 + NOTICE_TTL_MS);
  });

  it('(property) a notice of one moment, and every other one-off event, is not kept', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1_000_000_000_000, max: 4_000_000_000_000 }), fc.stringMatching(/^[a-z-]{1,12}$/), (at, topic) => {
        expect(expiryOf(notice(noticeKey(topic, { at })), T0)).toBeNull();
        expect(expiryOf(notice(noticeKey(topic, { once: true })), T0)).toBe(T0 + NOTICE_TTL_MS);
      }),
    );
    const oneOffs: AlertEvent[] = [
      { kind: 'health-up', key: healthUpKey(T0), code: 'Ok', downSinceMs: T0 - HOUR },
      { kind: 'blind', key: blindKey(T0), fromMs: T0 - HOUR, toMs: T0, cause: null },
      { kind: 'state-reset', key: stateResetKey(T0), reason: 'corrupt', keptAt: '/tmp/x' },
      { kind: 'health-down', key: healthDownKey(T0), code: 'Throttling', message: 'throttled', sinceMs: T0 },
      {
        kind: 'digest',
        key: digestKey('2026-11-28', 'oncall'),
        receiver: 'oncall',
        day: '2026-11-28',
        fromMs: T0 - 24 * HOUR,
        toMs: T0,
        failures: {},
        topUrls: [],
        account: null,
        unresolved: 0,
        stuck: 0,
        retries: null,
        runs: { total: 288, ok: 288, blindMs: 0 },
      },
    ];
    for (const e of oneOffs) expect(expiryOf(e, T0)).toBeNull();
  });
});

describe('taking keys apart', () => {
  it("isFailedKey: a row's failure, and nothing else", () => {
    expect(isFailedKey(failedKey(ROW))).toBe(true);
    for (const k of [stuckKey(ROW), recoveredKey(ROW), reminderKey(ROW, 1), noticeKey('failed', { once: true }), `x${failedKey(ROW)}`])
      expect(isFailedKey(k)).toBe(false);
  });

  it("v1FailedTaskId: the task id of v1's failed:<TaskId>, null for its other keys", () => {
    expect(v1FailedTaskId('failed:7001')).toBe('7001');
    expect(v1FailedTaskId('stuck:7001')).toBeNull();
    expect(v1FailedTaskId('notice:failed:7001')).toBeNull();
  });
});
