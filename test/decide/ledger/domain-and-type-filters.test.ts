import { loadConfig } from '../../../lib/config';
import { runMonitor } from '../../../lib/monitor';
import { type Call, FakeVodApi, fakeClock, fakeDeps, keyOf, MemoryStore, RecordingNotifier } from '../../helpers/fakes';

const MIN = 60_000;
const WEBHOOK = 'https://oapi.dingtalk.com/robot/send?access_token=t';

function setup(env: Record<string, string> = {}) {
  const clock = fakeClock();
  const calls: Call[] = [];
  const store = new MemoryStore(calls);
  const notifier = new RecordingNotifier(calls);
  const api = new FakeVodApi(clock.now);
  const config = loadConfig({ DINGTALK_WEBHOOK: WEBHOOK, ...env });
  const deps = () => fakeDeps({ config, api, store, notifier, now: clock.now, sleep: clock.sleep });
  const run = () => runMonitor(deps(), { dryRun: false, triggerTime: null });
  return { clock, store, notifier, api, run };
}

const failedKeysSent = (n: RecordingNotifier) => n.sent.flatMap((m) => m.keys).filter((k) => k.startsWith('failed:'));
const failedRow = (w: ReturnType<typeof setup>, objectPath: string, over: { ObjectType?: string; TaskId?: string } = {}) =>
  w.api.add({ ObjectPath: objectPath, createdMs: w.clock.now() - MIN, Status: 'Failed', Description: 'Origin Timeout', ...over });

describe('VOD_DOMAINS: rows of other domains are neither reported nor watched', () => {
  it('reports a failure on a configured domain (whatever its case), and ignores failures and unfinished rows elsewhere', async () => {
    const w = setup({ VOD_DOMAINS: 'a.example.com' });
    await w.run();
    w.clock.advance(5 * MIN);
    const mine = failedRow(w, 'http://a.example.com/a.mp4');
    const mineUpper = failedRow(w, 'https://A.Example.COM/b.mp4');
    failedRow(w, 'http://b.example.com/a.mp4');
    const otherRefreshing = w.api.add({ ObjectPath: 'http://b.example.com/r.mp4', createdMs: w.clock.now() - MIN, Status: 'Refreshing' });
    const mineRefreshing = w.api.add({ ObjectPath: 'http://a.example.com/r.mp4', createdMs: w.clock.now() - MIN, Status: 'Refreshing' });
    await w.run();
    expect(failedKeysSent(w.notifier).sort()).toEqual([`failed:${keyOf(mine)}`, `failed:${keyOf(mineUpper)}`].sort());
    expect(Object.keys(w.store.state!.watching)).toEqual([keyOf(mineRefreshing)]);
    // The row of the other domain fails later: still nothing, while the same on a configured domain is reported.
    w.clock.advance(5 * MIN);
    w.api.set(otherRefreshing.TaskId, otherRefreshing.ObjectPath, { Status: 'Failed', Description: 'Internal Error' });
    w.api.set(mineRefreshing.TaskId, mineRefreshing.ObjectPath, { Status: 'Failed', Description: 'Internal Error' });
    await w.run();
    expect(failedKeysSent(w.notifier)).not.toContain(`failed:${keyOf(otherRefreshing)}`);
    expect(failedKeysSent(w.notifier)).toContain(`failed:${keyOf(mineRefreshing)}`);
  });

  it('watches every domain when VOD_DOMAINS is empty', async () => {
    const w = setup();
    await w.run();
    w.clock.advance(5 * MIN);
    const rows = ['http://a.example.com/a.mp4', 'http://b.example.com/a.mp4'].map((p) => failedRow(w, p));
    await w.run();
    expect(failedKeysSent(w.notifier).sort()).toEqual(rows.map((r) => `failed:${keyOf(r)}`).sort());
  });
});

describe('VOD_OBJECT_TYPES: rows of unselected types are neither reported nor watched', () => {
  it('reports a failed file refresh and ignores a failed preload and directory refresh, and an unfinished preload', async () => {
    const w = setup({ VOD_OBJECT_TYPES: 'file' });
    await w.run();
    w.clock.advance(5 * MIN);
    const file = failedRow(w, 'http://v.example.com/a.mp4');
    failedRow(w, 'http://v.example.com/b.mp4', { ObjectType: 'preload' });
    failedRow(w, 'http://v.example.com/dir/', { ObjectType: 'directory' });
    const preloading = w.api.add({ ObjectPath: 'http://v.example.com/c.mp4', ObjectType: 'preload', createdMs: w.clock.now() - MIN, Status: 'Refreshing' });
    await w.run();
    expect(failedKeysSent(w.notifier)).toEqual([`failed:${keyOf(file)}`]);
    expect(w.store.state!.watching).toEqual({});
    w.clock.advance(5 * MIN);
    w.api.set(preloading.TaskId, preloading.ObjectPath, { Status: 'Failed', Description: 'Internal Error' });
    await w.run();
    expect(failedKeysSent(w.notifier)).toEqual([`failed:${keyOf(file)}`]);
  });

  /** A first run, then a 5-minute range of more than 10 pages (read by Status filters): one Pending file, three Pending preloads. */
  async function largeRange() {
    const w = setup({ VOD_OBJECT_TYPES: 'file' });
    await w.run();
    w.clock.advance(5 * MIN);
    const t = w.clock.now();
    const pendingFile = w.api.add({ ObjectPath: 'http://v.example.com/pending.mp4', createdMs: t - 290_000, Status: 'Pending' });
    for (let i = 0; i < 600; i++) w.api.add({ ObjectPath: `http://v.example.com/bulk/${i}.mp4`, createdMs: t - 280_000 + i * 400 });
    for (let i = 0; i < 3; i++) {
      w.api.add({ ObjectPath: `http://v.example.com/preload/${i}.mp4`, ObjectType: 'preload', createdMs: t - 5000, Status: 'Pending' });
    }
    w.api.calls.length = 0;
    const report = await w.run();
    return { w, pendingFile, report };
  }

  it('in a range read by Status filter, Pending rows of other types do not stand in for the Pending rows of the selected ones', async () => {
    const { w, pendingFile, report } = await largeRange();
    expect(report.read.mode).toContain('filtered');
    expect(Object.keys(w.store.state!.watching)).toEqual([keyOf(pendingFile)]);
    // It fails long after the overlap re-reads its minute: only watching it catches the failure.
    w.clock.advance(20 * MIN);
    w.api.set(pendingFile.TaskId, pendingFile.ObjectPath, { Status: 'Failed', Description: 'Origin Timeout' });
    await w.run();
    expect(failedKeysSent(w.notifier)).toEqual([`failed:${keyOf(pendingFile)}`]);
  });

  it('asks the API (ObjectType) only about the selected types when it reads by filter', async () => {
    const { w, report } = await largeRange();
    expect(report.read.mode).toContain('filtered');
    const asked = new Set(w.api.calls.map((c) => c.ObjectType).filter((t) => t !== undefined));
    expect([...asked]).toEqual(['file']);
  });
});
