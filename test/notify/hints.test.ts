import { EXIT } from '../../lib/cli/main';
import { Ledger } from '../../lib/decide/ledger';
import type { LedgerContext } from '../../lib/decide/ledger/book';

import type { TaskFacts } from '../../lib/events/schema';
import { backlogCommands, CONSOLE_URL, cliTime, failureHints, listCommands, stuckHints, watchLimitNotice } from '../../lib/notify/hints';
import { emptyState } from '../../lib/state/schema';
import { formatApiTime } from '../../lib/vod/time';
import { type CliWorld, startCliWorld } from '../cli/world';
import { silentLogger } from '../helpers/fakes';

const MIN = 60_000;
const T0 = Date.parse('2026-11-28T04:00:30Z');
const task = (objectType: string, domain: string, ageMin = 0, over: Partial<TaskFacts> = {}): TaskFacts => ({
  taskId: '1',
  objectPath: `http://${domain}/a.mp4`,
  objectType,
  status: 'Failed',
  description: 'Origin Timeout',
  creationTime: formatApiTime(T0 - ageMin * MIN),
  domain,
  ...over,
});
const CMD = 'npx vod-refresh-monitor tasks';

describe('the commands under an alert', () => {
  it('gives one command per object type and domain, from the earliest failure of each, to the minute, in UTC+8', () => {
    const tasks = [task('file', 'video.example.com', 3), task('file', 'video.example.com', 1), task('preload', 'media.example.net', 0)];
    expect(listCommands(tasks, 'Failed')).toEqual([
      `\`${CMD} --status Failed --type file --domain video.example.com --since 2026-11-28T11:57:00+08:00\``,
      `\`${CMD} --status Failed --type preload --domain media.example.net --since 2026-11-28T12:00:00+08:00\``,
    ]);
    expect(cliTime(T0)).toBe('2026-11-28T12:00:30+08:00');
  });

  it.each([
    [
      'a type tasks does not know: no --type, so no --domain (the API takes DomainName only with ObjectType)',
      task('Regex', 'video.example.com'),
      `\`${CMD} --status Failed --since 2026-11-28T12:00:00+08:00\``,
    ],
    ['a domain that is not a host name', task('file', 'x`y --json'), `\`${CMD} --status Failed --type file --since 2026-11-28T12:00:00+08:00\``],
    [
      'no creation time: the whole 3 days',
      task('file', 'video.example.com', 0, { creationTime: null }),
      `\`${CMD} --status Failed --type file --domain video.example.com --since 3d\``,
    ],
    [
      'a type in capitals',
      task('Preload', 'media.example.net'),
      `\`${CMD} --status Failed --type preload --domain media.example.net --since 2026-11-28T12:00:00+08:00\``,
    ],
  ])('for %s', (_name, t, expected) => {
    expect(listCommands([t], 'Failed')).toEqual([expected]);
  });

  it('past four domains, one command per type for all of them', () => {
    const tasks = [...[1, 2, 3, 4, 5].map((i) => task('file', `d${i}.example.com`, i)), task('preload', 'p.example.com', 9)];
    expect(listCommands(tasks, 'Failed')).toEqual([
      `\`${CMD} --status Failed --type file --since 2026-11-28T11:55:00+08:00\``,
      `\`${CMD} --status Failed --type preload --since 2026-11-28T11:51:00+08:00\``,
    ]);
  });

  it('puts ALERT_HINT (or the default advice) first, then the console page, then the commands', () => {
    const lines = failureHints([task('file', 'video.example.com')], 'Call the origin team.');
    expect(lines[0]).toBe('Call the origin team.');
    expect(lines[1]).toContain(`](${CONSOLE_URL})`);
    expect(lines[1]).toContain('Refresh and Prefetch');
    expect(lines[2]).toMatch(/^List them: `npx vod-refresh-monitor tasks --status Failed --type file --domain video.example.com /);
    expect(lines.slice(1).join(' ')).not.toContain('VOD');
  });

  it('lists a first run count by its exact window, per object type counted', () => {
    expect(backlogCommands({ file: 30, preload: 9 }, T0 - 10 * MIN, T0 + 400)).toBe(
      `\`${CMD} --status Failed --type file --since 2026-11-28T11:50:00+08:00 --until 2026-11-28T12:00:31+08:00\` · \`${CMD} --status Failed --type preload --since 2026-11-28T11:50:00+08:00 --until 2026-11-28T12:00:31+08:00\``,
    );
    expect(backlogCommands({ weird: 1 }, T0, T0)).toBe(`\`${CMD} --status Failed --since 2026-11-28T12:00:00+08:00 --until 2026-11-28T12:00:30+08:00\``);
  });

  it('says the right --type in the notice that rows are no longer watched', () => {
    const ctx: LedgerContext = { nowMs: T0, listSinceMs: -Infinity, stuckAfterMs: 30 * MIN, legacyBeforeMs: null, wanted: () => true };
    const ledger = new Ledger(emptyState(T0), ctx, silentLogger(), 1);
    const refreshing = (id: string, objectType: string) => ({
      taskId: id,
      objectPath: `http://media.example.net/${id}.mp4`,
      objectType,
      status: 'Refreshing',
      process: '10%',
      creationTime: formatApiTime(T0 - MIN),
      createdAtMs: T0 - MIN,
      description: null,
    });
    ledger.observe([refreshing('1', 'file'), refreshing('2', 'preload'), refreshing('3', 'preload')]);
    // The monitor hands the ledger this wording (lib/monitor/read.ts); the ledger hands it the types it could not watch. Unfinished is Refreshing or Pending, and Pending is no filter of the API: the command lists every status.
    const notice = ledger.finish(T0, { watchLimit: watchLimitNotice }).events.find((e) => e.kind === 'notice' && e.code === 'WatchLimit');
    expect(notice).toMatchObject({ message: watchLimitNotice(2, 1, ['preload']) });
    expect(watchLimitNotice(2, 1, ['preload'])).toContain(`\`${CMD} --type preload --since 3d\``);
    expect(watchLimitNotice(2, 1, ['preload'])).not.toContain('--type file');
  });
});

describe('the commands under stuck rows', () => {
  const stuck = (status: string): TaskFacts => ({
    taskId: '9',
    objectPath: 'http://media.example.net/a.mp4',
    objectType: 'file',
    status,
    description: null,
    creationTime: formatApiTime(T0 - 40 * MIN),
    domain: 'media.example.net',
  });
  it.each([
    ['Refreshing rows: listed as Refreshing', ['Refreshing'], '--status Refreshing --type file --domain media.example.net'],
    ['a Pending row (no filter of the API): every status of its type and domain', ['Refreshing', 'Pending'], `${CMD} --type file --domain media.example.net`],
  ])('%s', (_name, statuses, says) => {
    const text = stuckHints(statuses.map(stuck)).join('\n');
    expect(text).toContain(says);
  });
});

describe('the commands an alert gives list what it reports', () => {
  let w: CliWorld;
  beforeEach(async () => {
    w = await startCliWorld();
  });
  afterEach(async () => {
    await w.close();
  });

  const commandsIn = (text: string) => [...text.matchAll(/`npx vod-refresh-monitor (tasks [^`]+)`/g)].map((m) => m[1]!.split(' '));
  const listed = async (argv: string[]) => {
    const r = await w.cli([...argv, '--json']);
    expect(r.code).toBe(EXIT.ok);
    return (JSON.parse(r.out) as Array<{ objectPath: string }>).map((t) => t.objectPath).sort();
  };

  it('a failure message: each command lists the failures of its type and domain, together all of them', async () => {
    const { world } = w;
    await world.run();
    world.clock.advance(5 * MIN);
    const now = world.clock.now();
    world.fail('http://video.example.com/a/1.mp4', 2 * MIN);
    world.fail('http://video.example.com/a/2.mp4', 4 * MIN);
    world.vod.store.add({
      ObjectPath: 'http://media.example.net/p/1.mp4',
      ObjectType: 'preload',
      creationMs: now - 3 * MIN,
      Status: 'Failed',
      Description: 'Internal Error',
    });
    world.vod.store.add({ ObjectPath: 'http://video.example.com/ok.mp4', creationMs: now - 3 * MIN });
    await world.run();
    const text = world.texts().at(-1)!;
    expect(text).toContain('http://video.example.com/a/1.mp4');
    const commands = commandsIn(text);
    expect(commands.map((c) => c.slice(3, 7).join(' '))).toEqual(['--type file --domain video.example.com', '--type preload --domain media.example.net']);
    expect(await listed(commands[0]!)).toEqual(['http://video.example.com/a/1.mp4', 'http://video.example.com/a/2.mp4']);
    expect(await listed(commands[1]!)).toEqual(['http://media.example.net/p/1.mp4']);
  });

  it("a first run's count: its command lists exactly the failures it counted", async () => {
    const { world } = w;
    const now = world.clock.now();
    for (let i = 0; i < 7; i++) world.fail(`http://video.example.com/old/${i}.mp4`, (5 * 60 + i) * MIN);
    world.fail('http://video.example.com/new.mp4', 2 * MIN);
    world.vod.store.add({ ObjectPath: 'http://video.example.com/old-ok.mp4', creationMs: now - 6 * 3600_000 });
    await world.run();
    const text = world.texts().find((t) => t.includes('earlier failures'))!;
    expect(text).toContain('**7 earlier failures**');
    const [command] = commandsIn(text.split('\n').find((l) => l.includes('**7 earlier failures**'))!);
    expect(command).toContain('--until');
    expect(await listed(command!)).toEqual(Array.from({ length: 7 }, (_, i) => `http://video.example.com/old/${i}.mp4`).sort());
  });
});
