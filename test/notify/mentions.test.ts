import { type MentionPolicy, ringLine, whoIsRung } from '../../lib/notify/mentions';

const policy: MentionPolicy = { atMobiles: ['13800000000'], atUserIds: ['manager01'], atAllMinFailures: 3 };
const none = { needsPeople: 0, stuck: 0, reminders: 0, monitorTrouble: 0 };
const people = { atMobiles: ['13800000000'], atUserIds: ['manager01'] };

describe('whoIsRung', () => {
  it.each([
    ['good news only (recoveries, re-submissions, a digest)', none, { atMobiles: [], atUserIds: [], isAtAll: false }],
    ['one failure that needs people', { ...none, needsPeople: 1 }, { ...people, isAtAll: false }],
    ['two, under the @all threshold', { ...none, needsPeople: 2 }, { ...people, isAtAll: false }],
    ['three, at the @all threshold', { ...none, needsPeople: 3 }, { ...people, isAtAll: true }],
    ['stuck rows', { ...none, stuck: 4 }, { ...people, isAtAll: false }],
    ['a reminder', { ...none, reminders: 1 }, { ...people, isAtAll: false }],
    ['monitor trouble (cannot read, blind, reset, notice)', { ...none, monitorTrouble: 1 }, { ...people, isAtAll: false }],
    ['many stuck rows never ring @all', { ...none, stuck: 50, reminders: 50 }, { ...people, isAtAll: false }],
  ])('%s', (_name, need, expected) => {
    expect(whoIsRung(need, policy)).toEqual(expected);
  });

  it.each([
    [0, 1000, false],
    [1, 1, true],
    [5, 4, false],
  ])('@all from %i failures (0: never): %i failures ring all: %s', (threshold, needsPeople, all) => {
    expect(whoIsRung({ ...none, needsPeople }, { ...policy, atAllMinFailures: threshold }).isAtAll).toBe(all);
  });

  it('writes @id for each mobile and user id rung, and @all only when all are rung', () => {
    expect(ringLine({ ...people, isAtAll: false })).toBe('@13800000000 @manager01');
    expect(ringLine({ ...people, isAtAll: true })).toBe('@13800000000 @manager01 @all');
    expect(ringLine({ atMobiles: [], atUserIds: [], isAtAll: false })).toBe('');
  });
});
