// Review: the "falling behind" notice (lib/monitor/stages.ts stalledReading) counts every run that leaves ranges
// pending, whatever stopped it. While VOD refuses the account (suspended, keys revoked) no range is ever settled, so
// after an hour of "cannot read refresh tasks" on-call also gets "the monitor is falling behind ... raise the timeout
// in s.yaml, or look at why VOD answers slowly": wrong advice for a refusal that no timeout fixes.
import { VodError } from '../../lib/vod/errors';
import { slowMonitor } from '../helpers/virtual';

const MIN = 60_000;

it('a VOD that refuses the account for 90 minutes is reported as down, not as a monitor falling behind for want of timeout', async () => {
  const w = slowMonitor({ answerMs: 200, timeoutMs: 120_000 });
  let refusing = false;
  const inner = w.api.describeRefreshTasks.bind(w.api);
  w.api.describeRefreshTasks = async (p: Record<string, string>) => {
    if (refusing) throw new VodError({ code: 'OperationDenied.Suspended', message: 'account suspended', retryable: false });
    return inner(p);
  };
  for (let i = 0; i < 3; i++) {
    await w.run();
    w.clock.advance(5 * MIN);
  }
  refusing = true;
  for (let i = 0; i < 18; i++) {
    await w.run();
    w.clock.advance(5 * MIN);
  }
  const keys = w.notifier.sent.flatMap((m) => m.keys);
  expect(keys.some((k) => k.startsWith('health'))).toBe(true); // told it cannot read: the right notice
  expect(keys.filter((k) => k.startsWith('notice:falling-behind'))).toEqual([]);
});
