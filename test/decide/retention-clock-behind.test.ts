// Review: pruning assumes no run reads before frontier - 1 h - 1 min. planRead starts the new range at
// min(frontier, endMs - 1 s) - overlap: when the planning clock (this function's clock plus the skew last measured)
// is behind the saved frontier by more than ~56 min, the new range starts below the line, and a failure whose key was
// let go is read, and reported, again.
import { loadConfig } from '../../lib/config';
import { MAX_REPORTED_KEPT } from '../../lib/decide/retention';
import { KEY_TTL_MS } from '../../lib/events/keys';
import { runMonitor } from '../../lib/monitor';
import { FakeVodApi, fakeDeps, MemoryStore, RecordingNotifier } from '../helpers/fakes';
import { failedSent, virtualClock } from '../helpers/virtual';

const MIN = 60_000;

it('a function clock an hour behind does not re-report a failure whose delivered key was let go', async () => {
  const clock = virtualClock();
  let fnOffset = 0;
  const fnNow = () => clock.now() + fnOffset;
  const store = new MemoryStore();
  const notifier = new RecordingNotifier();
  const api = new FakeVodApi(clock.now);
  const config = loadConfig({ DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=t' });
  const run = async () => {
    const deps = fakeDeps({ config, api, store, notifier, now: fnNow, sleep: clock.sleep, random: 0.5 });
    return clock.drive(runMonitor(deps, { dryRun: false, triggerTime: null }));
  };
  const t0 = clock.now();
  await run();
  clock.advance(5 * MIN);
  api.add({ TaskId: '900000001', ObjectPath: 'http://v.example.com/x.mp4', createdMs: t0 + 4 * MIN, Status: 'Failed', Description: 'Origin Timeout' });
  api.add({ ObjectPath: 'http://v.example.com/x.mp4', createdMs: t0 + 4.5 * MIN, Status: 'Complete' });
  await run();
  expect(failedSent(notifier)).toHaveLength(1);
  for (let i = 0; i < 14; i++) {
    clock.advance(5 * MIN);
    await run();
  }
  // An outage's keys fill the state; the next run lets go of those below the line, the failure above among them.
  for (let i = 0; i < MAX_REPORTED_KEPT + 10; i++) store.state!.reported[`failed:7${i}/outage`] = t0 - 10 * 60 * MIN + KEY_TTL_MS;
  clock.advance(5 * MIN);
  await run();
  expect(store.state!.reportedFloorMs).not.toBeNull();
  expect(Object.keys(store.state!.reported).some((k) => k.startsWith('failed:900000001/'))).toBe(false);
  // The function's clock is now 80 minutes behind the API's (a new instance); the API's clock did not move.
  fnOffset = -80 * MIN;
  clock.advance(5 * MIN);
  await run();
  expect(failedSent(notifier)).toHaveLength(1);
});
