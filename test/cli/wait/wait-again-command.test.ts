// review finding: the "wait again" line that `refresh --wait` (and `wait <url>`) prints on a timeout is not the command
// for that wait. It names the task id alone, so the second wait follows every URL merged into that id — the URLs
// another CMS submitted for the same domain in the same second — and fails the pipeline on their failure although
// every URL of this job completed; the docs themselves say "task ids and URLs together follow those URLs". And it is
// written `vod-refresh-monitor wait …`, which is not on a pipeline's PATH: every other command the project prints is
// `npx vod-refresh-monitor …`. (Against the VOD simulator, on a virtual clock.)
import { rmSync } from 'node:fs';
import { type CliIo, EXIT, main } from '../../../lib/cli/main';
import { type CliWorld, startCliWorld } from '../world';

const MIN = 60_000;
let w: CliWorld;
beforeEach(async () => {
  w = await startCliWorld();
});
afterEach(async () => {
  await w.close();
  rmSync(w.world.dir, { recursive: true, force: true });
});

async function cli(argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const env = Object.fromEntries(Object.entries(w.env).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const io: CliIo = {
    stdout: (s) => out.push(s),
    stderr: () => undefined,
    env,
    now: w.world.clock.now,
    sleep: async (ms) => w.world.clock.advance(Math.max(0, ms)),
  };
  return { code: await main(argv, io), out: out.join('\n') };
}

async function timedOutRefresh() {
  // Another job's URL on the same domain, submitted in the same second: the API merges both into one task id. The
  // clock starts at the top of a second, so that the CLI's own pacing before its call cannot cross into the next.
  w.world.clock.advance(1000 - (w.world.clock.now() % 1000));
  const other = w.world.vod.store.submit({
    urls: ['http://video.example.com/other-team/x.mp4'],
    kind: 'file',
    atMs: w.world.clock.now(),
    fate: () => ({ afterMs: MIN, Status: 'Failed', Description: 'Origin Timeout' }),
  });
  w.world.vod.fatePolicy = null;
  const first = await cli(['refresh', '--wait', '--timeout', '3m', 'http://video.example.com/mine/a.mp4']);
  const mine = w.world.vod.store.all().find((r) => r.ObjectPath === 'http://video.example.com/mine/a.mp4')!;
  expect(mine.TaskId).toBe(other.taskIds[0]);
  expect(first.code).toBe(EXIT.timeout);
  const again = /^wait again: (.*)$/m.exec(first.out)?.[1] ?? '';
  return { mine, again };
}

it('the printed "wait again" command waits for this job\'s URLs only: it exits 0 once they completed', async () => {
  const { mine, again } = await timedOutRefresh();
  w.world.vod.store.updateRow(mine.TaskId, mine.ObjectPath, { Status: 'Complete', Process: '100%' });
  const argv = again.replace(/^(npx )?vod-refresh-monitor /, '').split(' ');
  const second = await cli(argv);
  expect({ argv, code: second.code }).toEqual({ argv, code: EXIT.ok });
});

it('the printed "wait again" command can be run as printed, like every other command the project prints (npx)', async () => {
  const { again } = await timedOutRefresh();
  expect(again).toMatch(/^npx vod-refresh-monitor wait /);
});
