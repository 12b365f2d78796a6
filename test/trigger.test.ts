import fc from 'fast-check';
import { parseTimerEvent } from '../lib/trigger';

describe('parseTimerEvent', () => {
  it('reads a Function Compute timer event Buffer', () => {
    const ev = Buffer.from(JSON.stringify({ triggerTime: '2023-12-26T07:49:00Z', triggerName: 'timer-trigger', payload: '{"dryRun":true}' }));
    expect(parseTimerEvent(ev)).toEqual({ triggerTime: '2023-12-26T07:49:00Z', triggerName: 'timer-trigger', dryRun: true, status: false, problems: [] });
  });

  it.each([
    ['an empty buffer', Buffer.alloc(0), false, 0],
    ['no event', undefined, false, 0],
    ['a payload that is not JSON', Buffer.from('{"triggerTime":"2023-12-26T07:49:00Z","payload":"dry"}'), false, 1],
    ['a payload with a wrong type', Buffer.from('{"payload":"{\\"dryRun\\":\\"yes\\"}"}'), false, 1],
    ['an unknown payload key', Buffer.from('{"payload":"{\\"dryrun\\":true}"}'), false, 1],
    ['an event that is not JSON', Buffer.from('<xml/>'), false, 1],
    ['an array', Buffer.from('[1,2]'), false, 1],
    ['a bad triggerTime', Buffer.from('{"triggerTime":"yesterday"}'), false, 1],
    ['an object payload', { payload: { dryRun: true } }, true, 0],
  ])('handles %s', (_n, ev, dryRun, problems) => {
    const r = parseTimerEvent(ev);
    expect(r.dryRun).toBe(dryRun);
    expect(r.problems).toHaveLength(problems);
  });

  it('never throws, whatever arrives (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.string().map((s) => Buffer.from(s)),
          fc.json().map((s) => Buffer.from(s)),
        ),
        (ev) => {
          const r = parseTimerEvent(ev);
          expect(typeof r.dryRun).toBe('boolean');
        },
      ),
    );
  });
});
