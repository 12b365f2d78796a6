// Finding: README's synopsis is `tasks [--since 1h] [--until now]` and `tasks --help` says `--until ... (default:
// now)`, but `--until now` is refused with exit 2 ("is not accepted"). lib/cli/format.ts:79-88 (parseWhen).
import { EXIT } from '../../lib/cli/main';
import { type CliWorld, startCliWorld } from './world';

let w: CliWorld;
beforeEach(async () => {
  w = await startCliWorld();
});
afterEach(async () => {
  await w.close();
});

it('tasks accepts --until now, as its help and the README show', async () => {
  const r = await w.cli(['tasks', '--since', '2h', '--until', 'now']);
  expect(r.err).not.toContain('is not accepted');
  expect(r.code).toBe(EXIT.ok);
});
