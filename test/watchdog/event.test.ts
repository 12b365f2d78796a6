import { classifyEvent } from '../../lib/watchdog/event';

describe('classifyEvent: a timer tick, or a failure to report', () => {
  it.each<[string, unknown, 'failure' | 'timer', boolean]>([
    ['the timer event (a Buffer)', Buffer.from('{"triggerTime":"2026-01-05T02:00:00Z","triggerName":"watchdog-timer","payload":""}'), 'timer', false],
    ['a timer event with an empty payload', { triggerName: 'watchdog-timer', payload: '' }, 'timer', false],
    ['status from the CLI', Buffer.from(JSON.stringify({ triggerName: 'vod-refresh-monitor-cli', payload: '{"status":true}' })), 'timer', true],
    ['a destination event', Buffer.from('{"requestContext":{"condition":"FunctionResourceExhausted"}}'), 'failure', false],
    ['a destination event that names a trigger too', { triggerName: 'x', requestContext: {} }, 'failure', false],
    ['a string requestContext', { requestContext: 'x' }, 'failure', false],
    ['{}', Buffer.from('{}'), 'failure', false],
    ['an empty body', Buffer.alloc(0), 'failure', false],
    ['not JSON', 'nope', 'failure', false],
    ['binary', Buffer.from([0xff, 0x00, 0x7b]), 'failure', false],
    ['a trigger name that is not a string', { triggerName: 5 }, 'failure', false],
    ['null', null, 'failure', false],
  ])('%s', (_name, event, kind, status) => {
    const e = classifyEvent(event);
    expect(e.kind).toBe(kind);
    if (e.kind === 'timer') expect(e.status).toBe(status);
  });
});
