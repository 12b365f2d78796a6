import { cadenceFindings, cronEveryMinutes } from '../../../lib/cli/status/cadence';

const MIN = 60_000;

describe('cronEveryMinutes: the period of a timer, as s.yaml writes it or a console edit leaves it', () => {
  it.each([
    ['CRON_TZ=Asia/Shanghai 0 */5 * * * *', 5],
    ['0 */15 * * * *', 15],
    ['0 * * * * *', 1],
    ['0 0/10 * * * ?', 10],
    ['@every 2m', 2],
    ['CRON_TZ=Asia/Shanghai 0 0 * * * *', null],
    ['0 */7 * * * *', null],
    ['0 */5 9-18 * * *', null],
    ['0 5,35 * * * *', null],
    ['*/5 * * * *', null],
    ['@every 1h', null],
  ])('%s -> %p', (cron, minutes) => {
    expect(cronEveryMinutes(cron)).toBe(minutes);
  });
});

describe('cadenceFindings', () => {
  const timer = (cron: string | null) => ({ name: 'monitor-timer', cron });

  it.each([
    [5, 120, 'CRON_TZ=Asia/Shanghai 0 */5 * * * *', 'ok', 'each run ends within 120 s, and the timer fires at that period'],
    [1, 120, 'CRON_TZ=Asia/Shanghai 0 */1 * * * *', 'ok', 'each run ends within 45 s, and the timer fires at that period'],
    [2, null, '@every 2m', 'ok', 'each run ends within 90 s'],
    [1, 120, 'CRON_TZ=Asia/Shanghai 0 */5 * * * *', 'warn', 'but timer monitor-timer fires every 5 min'],
    [5, 120, null, 'warn', 'but timer monitor-timer has no period this can read (no cron)'],
  ] as const)('every %d min, timeout %p s, cron %p: %s', (every, timeout, cron, outcome, text) => {
    const [f, ...rest] = cadenceFindings({ cadenceMs: every * MIN, timeoutSeconds: timeout, timers: [timer(cron)] });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ outcome, text: expect.stringContaining(text) });
    expect(f!.text).toContain(`cadence: every ${every} min (MONITOR_EVERY_MINUTES=${every})`);
    if (outcome === 'warn') expect(f!.fix).toMatch(/^s deploy again/);
  });

  it('says nothing without a timer (that is a failure of its own)', () => {
    expect(cadenceFindings({ cadenceMs: 5 * MIN, timeoutSeconds: 120, timers: [] })).toEqual([]);
  });
});
