// Review: a failed URL that recovers is put back among the unresolved failures by the overlap re-read of its own
// (already reported) failed row, so on-call is told "recovered" and then "still failing" for the same URL.
// lib/decide/ledger.ts: apply('already-reported') -> trackFailure() re-creates failedPaths[path] after 'recovered'
// deleted it in the same run (rows arrive newest first: the Complete row before the Failed one).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_ROBOT } from '../../sim/dingtalk/server';
import { readState } from '../helpers/state-files';
import { startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

it('a URL reported as recovered is not reminded as still failing, and is no longer counted as unresolved', async () => {
  world = await startWorld();
  const file = path.join(world.dir, 'alerting.yaml');
  writeFileSync(
    file,
    [
      'receivers:',
      '  - name: oncall',
      '    dingtalk:',
      '      webhook: ${ONCALL_WEBHOOK}',
      '      secret: ${ONCALL_SECRET}',
      '      keywords: [VOD]',
      'route:',
      '  receiver: oncall',
      'reminders:',
      '  every: 1h',
      '  max: 3',
      '',
    ].join('\n'),
  );
  Object.assign(world.env, { ALERTING_CONFIG: file, ONCALL_WEBHOOK: world.ding.webhook(), ONCALL_SECRET: DEFAULT_ROBOT.secret });
  await world.run();
  world.clock.advance(5 * MIN);
  const url = 'http://video.example.com/movie/index.m3u8';
  world.fail(url, 2 * MIN, 'Origin Timeout');
  await world.run();
  expect(world.listed('failed')).toHaveLength(1);
  // On-call refreshes it by hand a minute later; it completes.
  world.vod.store.add({ ObjectPath: url, creationMs: world.clock.now() + 1 * MIN, Status: 'Complete' });
  world.clock.advance(5 * MIN);
  await world.run();
  expect(world.listed('recovered')).toHaveLength(1);
  for (let i = 0; i < 40; i++) {
    world.clock.advance(5 * MIN);
    await world.run();
  }
  const state = readState(world.stateFile) as { failedPaths: Record<string, unknown> };
  const stillFailing = world.texts().filter((t) => t.includes('Still failing'));
  expect({ reminders: stillFailing.length, unresolved: Object.keys(state.failedPaths) }).toEqual({ reminders: 0, unresolved: [] });
}, 120_000);
