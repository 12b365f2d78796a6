import { urlText } from '../../lib/notify/escape';
import { startWorld } from '../helpers/world';

// With AUTO_REFRESH=on a failure is told once as "the monitor re-submits these itself; you hear again only if they
// fail again" and rings nobody. lib/autorefresh/submit.ts treats every API error that NOT_SUBMITTED does not list
// as "maybe submitted" and consumes the URL's retry (attempts = intent.attempt), with no event. But an answer
// carrying an API error Code means the call was refused, and nothing was submitted: no new row will ever fail or
// complete, so "you hear again only if they fail again" never happens, and the URL stays broken with nobody rung.
//  - QuotaPerMinuteExceeded.Refresh (documented for RefreshVodObjectCaches; it does not start with "QuotaExceeded"):
//    the held text matches /quota/i, so a notice says the URLs "are re-submitted from 00:00 UTC+8" — they never are.
//  - InternalError: no notice at all.

const MIN = 60_000;
const HOUR = 60 * MIN;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

/** One failed URL; the first RefreshVodObjectCaches call of the run after it is answered with `code`. */
async function refusedOnce(code: string, status: number) {
  world = await startWorld({ env: { AUTO_REFRESH: 'on', AUTO_REFRESH_DELAY_MINUTES: '0' } });
  await world.run();
  world.clock.advance(5 * MIN);
  const url = 'http://video.example.com/transient.mp4';
  world.fail(url, MIN, 'Origin Timeout');
  let refused = 0;
  world.vod.onRequest = (p) => {
    if (p.Action === 'RefreshVodObjectCaches' && refused === 0) {
      refused++;
      world.vod.faults.queue.unshift({ kind: 'error', code, status });
    }
  };
  const r = await world.run();
  expect(refused).toBe(1);
  expect(r.autoRefresh).toMatchObject({ due: 1, submitted: 0, held: [`url: ${code}`] });
  expect(world.texts().join('\n')).toContain('re-submitting automatically');
  return url;
}

const resubmitted = (url: string) => world.vod.submissions.some((s) => s.urls.includes(url));
const rungAbout = (url: string) =>
  world.ding.accepted.some((m) => (m.body.at?.atMobiles ?? []).length > 0 && (m.body.markdown?.text ?? '').includes(urlText(url)));

it('QuotaPerMinuteExceeded.Refresh: the URL is re-submitted a little later, not dropped, and no daily-quota notice', async () => {
  const url = await refusedOnce('QuotaPerMinuteExceeded.Refresh', 400);
  expect(world.texts().join('\n')).not.toContain('00:00 UTC+8');
  // Runs through the rest of the day and into the next one.
  for (let i = 0; i < 30; i++) {
    world.clock.advance(i < 24 ? 5 * MIN : 4 * HOUR);
    await world.run();
  }
  expect(resubmitted(url)).toBe(true);
});

it('InternalError answered to the re-submission: the URL is re-submitted later, or a human is rung; never silence', async () => {
  const url = await refusedOnce('InternalError', 500);
  for (let i = 0; i < 24; i++) {
    world.clock.advance(5 * MIN);
    await world.run();
  }
  expect(resubmitted(url) || rungAbout(url)).toBe(true);
});

it('PreloadQueueFull that lasts: tried for an hour, then handed to a human by name, and not tried again', async () => {
  world = await startWorld({ env: { AUTO_REFRESH: 'on', AUTO_REFRESH_DELAY_MINUTES: '0' } });
  await world.run();
  world.clock.advance(5 * MIN);
  const url = 'http://video.example.com/p.m3u8';
  world.vod.store.add({ ObjectPath: url, ObjectType: 'preload', creationMs: world.clock.now() - MIN, Status: 'Failed', Description: 'Origin Timeout' });
  world.vod.preloadQueueFull = true;
  for (let i = 0; i < 72; i++) {
    await world.run();
    world.clock.advance(5 * MIN);
  }
  const preloadCalls = world.vod.stats.log.filter((p) => p.Action === 'PreloadVodObjectCaches').length;
  const told = world.texts().some((t) => t.includes('PreloadQueueFull') || t.includes('preload queue'));
  // Six hours: the failure was told as "the monitor re-submits these itself" and rang nobody; since then, 30-odd
  // refused preload calls (they go on until the row leaves the 3-day window) and not a word to anyone.
  // Held for an hour (a call every 10 minutes at most), then handed to a human by name; no call after that.
  expect(preloadCalls).toBeGreaterThan(0);
  expect(preloadCalls).toBeLessThanOrEqual(7);
  expect(told).toBe(true);
  expect(rungAbout(url)).toBe(true);
});
