import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_ROBOT } from '../../sim/dingtalk/server';
import { startWorld } from '../helpers/world';

// Mute names are not checked for duplicates (receivers are: load.ts reports "is used twice"), and an unnamed mute
// is called mute-<n>, which a named one can also be. State keeps what a mute held by name, and applyMutes
// (lib/policy/mute.ts) decides whether "the window has ended" with plan.mutes.find(m => m.name === name): the
// FIRST mute of that name. When that one is over (a past 'until', kept in the file as a record) and a later one of
// the same name is active, every run's muted alerts are summed up at once: a "muted" message every five minutes
// for the whole window, instead of one summary when it ends.

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

async function withMutes(mutes: string[]) {
  world = await startWorld();
  const file = path.join(world.dir, 'alerting.yaml');
  writeFileSync(
    file,
    [
      'receivers:',
      '  - name: team',
      '    dingtalk:',
      '      webhook: ${TEAM_WEBHOOK}',
      '      secret: ${TEAM_SECRET}',
      '      keywords: [VOD]',
      'route:',
      '  receiver: team',
      'mutes:',
      ...mutes,
    ].join('\n'),
  );
  Object.assign(world.env, { ALERTING_CONFIG: file, TEAM_WEBHOOK: world.ding.webhook(), TEAM_SECRET: DEFAULT_ROBOT.secret });
  await world.run();
}

async function hourOfFailures() {
  for (let i = 0; i < 12; i++) {
    world.clock.advance(5 * MIN);
    world.fail(`http://video.example.com/migrating/${i}.mp4`);
    await world.run();
  }
}

/** Messages that are not a notice about the file: muted summaries, failures. */
const summaries = () => world.texts().filter((t) => t.includes('Muted by'));

it('two mutes of one name (the old window kept in the file): nothing is summed up before the active one ends', async () => {
  const past = new Date(Date.now() - 24 * 60 * MIN).toISOString();
  const future = new Date(Date.now() + 3 * 60 * MIN).toISOString();
  await withMutes([
    '  - name: origin-migration',
    "    match: { domain: ['video.example.com'] }",
    `    until: '${past}'`,
    '    reason: first attempt, last week',
    '  - name: origin-migration',
    "    match: { domain: ['video.example.com'] }",
    `    until: '${future}'`,
    '    reason: second attempt',
  ]);
  await hourOfFailures();
  // Either the file is refused for the duplicate name (and the fallback robot says so), or the active mute holds.
  const refused = world.texts().some((t) => t.includes('origin-migration') && t.includes('Notice'));
  if (!refused) expect(summaries()).toHaveLength(0);
});

it('an unnamed mute (mute-1) and a named mute-1: nothing is summed up before the active one ends', async () => {
  const past = new Date(Date.now() - 60 * MIN).toISOString();
  const future = new Date(Date.now() + 3 * 60 * MIN).toISOString();
  await withMutes([
    "  - match: { domain: ['old.example.com'] }",
    `    until: '${past}'`,
    '  - name: mute-1',
    "    match: { domain: ['video.example.com'] }",
    `    until: '${future}'`,
  ]);
  await hourOfFailures();
  expect(summaries()).toHaveLength(0);
});
