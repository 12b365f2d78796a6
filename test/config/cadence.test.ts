import { CADENCES, ConfigError, loadAlertConfig, loadConfig, timingsOf } from '../../lib/config';

const base = { DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=abc' };
const MIN = 60_000;

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  return [];
}

describe('MONITOR_EVERY_MINUTES: the defaults that depend on the cadence follow it', () => {
  it.each([
    // minutes, overlap (s), blind after (min), first-run lookback (min)
    [1, 120, 3, 60],
    [2, 120, 6, 60],
    [3, 180, 9, 60],
    [4, 240, 12, 60],
    [5, 300, 15, 60],
    [6, 300, 18, 60],
    [10, 300, 30, 60],
    [12, 300, 36, 60],
    [15, 300, 45, 60],
  ])('every %d min: overlap %d s, blind after %d min, first run lists %d min', (every, overlapS, blindMin, lookbackMin) => {
    const c = loadConfig({ ...base, MONITOR_EVERY_MINUTES: String(every) });
    expect({ cadence: c.cadenceMs, overlap: c.vod.overlapMs, blind: c.blindAfterMs, lookback: c.firstRunLookbackMs }).toEqual({
      cadence: every * MIN,
      overlap: overlapS * 1000,
      blind: blindMin * MIN,
      lookback: lookbackMin * MIN,
    });
    expect(loadAlertConfig({ ...base, MONITOR_EVERY_MINUTES: String(every) }).cadenceMs).toBe(every * MIN);
  });

  it('covers every accepted cadence in the table above', () => {
    expect([...CADENCES]).toEqual([1, 2, 3, 4, 5, 6, 10, 12, 15]);
  });

  it('keeps a value that is set, whatever the cadence', () => {
    const c = loadConfig({ ...base, MONITOR_EVERY_MINUTES: '1', VOD_SCAN_OVERLAP_SECONDS: '600', BLIND_AFTER_MINUTES: '20', FIRST_RUN_LOOKBACK_MINUTES: '5' });
    // the lookback is never less than the overlap
    expect({ overlap: c.vod.overlapMs, blind: c.blindAfterMs, lookback: c.firstRunLookbackMs }).toEqual({
      overlap: 600_000,
      blind: 20 * MIN,
      lookback: 600_000,
    });
  });

  it.each([
    [
      '5',
      '5',
      'BLIND_AFTER_MINUTES: 5 is not accepted with MONITOR_EVERY_MINUTES=5: every run would find the monitor blind; use more than the time between runs, from 6 to 1440 (default three runs, 15)',
    ],
    [
      '15',
      '10',
      'BLIND_AFTER_MINUTES: 10 is not accepted with MONITOR_EVERY_MINUTES=15: every run would find the monitor blind; use more than the time between runs, from 16 to 1440 (default three runs, 45)',
    ],
    ['1', '1', 'BLIND_AFTER_MINUTES: "1" is not accepted; use a whole number from 2 to 1440 (default three runs: 15 at 5 minutes)'],
  ])('every %s min refuses BLIND_AFTER_MINUTES=%s, saying what it accepts', (every, blind, message) => {
    expect(problems({ MONITOR_EVERY_MINUTES: every, BLIND_AFTER_MINUTES: blind })).toEqual([message]);
  });

  it.each([
    ['1', '2'],
    ['5', '6'],
    ['15', '16'],
  ])('every %s min accepts BLIND_AFTER_MINUTES=%s, one minute more than the cadence', (every, blind) => {
    expect(problems({ MONITOR_EVERY_MINUTES: every, BLIND_AFTER_MINUTES: blind })).toEqual([]);
  });
});

describe('timingsOf: the cadence and blind window of a deployed environment, for status', () => {
  it.each([
    [{}, 5, 15],
    [{ MONITOR_EVERY_MINUTES: '1' }, 1, 3],
    [{ MONITOR_EVERY_MINUTES: '15', BLIND_AFTER_MINUTES: '60' }, 15, 60],
    [{ MONITOR_EVERY_MINUTES: '', BLIND_AFTER_MINUTES: '' }, 5, 15],
    // what the function would refuse counts as its default
    [{ MONITOR_EVERY_MINUTES: '7' }, 5, 15],
    [{ MONITOR_EVERY_MINUTES: '10', BLIND_AFTER_MINUTES: '10' }, 10, 30],
    [{ BLIND_AFTER_MINUTES: 'soon' }, 5, 15],
  ])('%j: every %d min, blind after %d min', (env, every, blind) => {
    expect(timingsOf(env)).toEqual({ cadenceMs: every * MIN, blindAfterMs: blind * MIN });
  });
});
