// The notification log through whole runs of the pipeline (in-memory fakes): a delivered key is kept while the API
// lists its row, then forgotten. The log's own rules are test/events/told.test.ts.
import { loadConfig } from '../../lib/config';
import { KEY_TTL_MS } from '../../lib/events/keys';
import { FORGET_BATCH_MS } from '../../lib/events/told';
import { runMonitor } from '../../lib/monitor';
import { QUERY_WINDOW_MS } from '../../lib/vod/time';
import { FakeVodApi, fakeClock, fakeDeps, keyOf, MemoryStore, RecordingNotifier } from '../helpers/fakes';

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.parse('2026-11-28T12:00:00Z');

describe('the pipeline forgets a delivered key once the API has forgotten its row', () => {
  it('a 2-day-old failure listed on a first run is reported once, its key kept while the row is listed, then dropped', async () => {
    const clock = fakeClock(T0);
    const store = new MemoryStore();
    const notifier = new RecordingNotifier();
    const api = new FakeVodApi(clock.now);
    const config = loadConfig({ DINGTALK_WEBHOOK: 'https://oapi.dingtalk.com/robot/send?access_token=t', FIRST_RUN_LOOKBACK_MINUTES: '4320' });
    const deps = () => fakeDeps({ config, api, store, notifier, now: clock.now, sleep: clock.sleep });
    const run = () => runMonitor(deps(), { dryRun: false, triggerTime: null });
    const created = Math.floor((T0 - 2 * DAY) / 1000) * 1000;
    const row = api.add({ ObjectPath: 'http://v.example.com/old.mp4', createdMs: created, Status: 'Failed', Description: 'Origin Timeout' });
    const key = `failed:${keyOf(row)}`;
    await run();
    expect(notifier.sent.flatMap((m) => m.keys)).toEqual([key]);
    expect(store.state!.reported[key]).toBe(created + KEY_TTL_MS);
    clock.set(created + QUERY_WINDOW_MS - 5 * MIN);
    await run();
    expect(store.state!.reported[key]).toBe(created + KEY_TTL_MS);
    clock.set(created + KEY_TTL_MS + FORGET_BATCH_MS + 5 * MIN);
    await run();
    expect(store.state!.reported[key]).toBeUndefined();
    expect(notifier.sent.flatMap((m) => m.keys).filter((k) => k.startsWith('failed:'))).toEqual([key]);
  });
});
