// Every way the state's files can fail, at the handler level (the built bundle, both simulators): the run goes on
// from its copy in /tmp, tells on-call which file, which error and what to check once per outage, labels what it
// sends ("repeats are possible"), and never withholds a failure; when the files work again it says so, once.
import { mkdirSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { type Fault, faultyFs } from '../helpers/faulty-fs';
import { shown, startWorld } from '../helpers/world';

const MIN = 60_000;
type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

const told = (w: World, re: RegExp) => w.texts().filter((t) => re.test(t));
const OUTAGE = /The monitor cannot (read|save|lock) its state at /;
const BACK = /The monitor saves its state at .* again/;

/** A clean run, then `faulty` runs with one new failure each under the fault, then the fault healed and two runs. */
async function outage(faults: Fault[], faulty = 2) {
  const disk = faultyFs([]);
  world = await startWorld({ fs: disk.fs });
  await world.run();
  const failed: string[] = [];
  disk.faults.push(...faults);
  const reports: Array<Record<string, unknown>> = [];
  for (let i = 0; i < faulty; i++) {
    world.clock.advance(5 * MIN);
    failed.push(world.fail(`http://video.example.com/outage/${i}.mp4`));
    reports.push(await world.run());
  }
  disk.heal();
  for (let i = 0; i < 2; i++) {
    world.clock.advance(5 * MIN);
    reports.push(await world.run());
  }
  return { failed, reports };
}

describe('a state that cannot be read or written is loud, and degrades to at-least-once', () => {
  it.each([
    ['read', 'EIO', [{ ops: ['readFile'], where: 'state.json', errno: 'EIO' }], /the mount failed \(EIO\)/],
    ['read', 'EACCES', [{ ops: ['readFile'], where: 'state.json', errno: 'EACCES' }], /oss:GetObject/],
    ['write', 'EIO', [{ ops: ['rename'], where: 'state.json', errno: 'EIO' }], /the mount failed \(EIO\)/],
    ['write', 'EACCES', [{ ops: ['writeFile', 'rename'], where: 'state.json', errno: 'EACCES' }], /oss:PutObject/],
    ['write', 'ENOSPC', [{ ops: ['writeFile'], where: 'state.json', errno: 'ENOSPC' }], /full/],
  ] as const)('%s failing with %s: every failure told once, labelled; the outage told once with the fix; its end once', async (_op, _errno, faults, fix) => {
    const { failed, reports } = await outage(faults.map((f) => ({ ...f, ops: [...f.ops] })));
    expect(world.listed().sort()).toEqual([...failed].sort());
    const outageTexts = told(world, OUTAGE);
    expect(outageTexts).toHaveLength(1);
    expect(outageTexts[0]).toMatch(fix);
    expect(outageTexts[0]).toContain('state.json');
    for (const t of world.texts().filter((x) => x.includes('outage/'))) expect(t).toContain('repeats are possible');
    expect(told(world, BACK)).toHaveLength(1);
    expect(reports.slice(0, 2).map((r) => r.status)).toEqual(['degraded', 'degraded']);
    expect(reports.at(-1)).toMatchObject({ status: 'ok', alerts: { pending: 0 } });
  });

  it('a folder where the state file should be (EISDIR), made for real: the same', async () => {
    world = await startWorld();
    await world.run();
    renameSync(world.stateFile, `${world.stateFile}.kept`);
    mkdirSync(world.stateFile);
    world.clock.advance(5 * MIN);
    const during = world.fail('http://video.example.com/eisdir.mp4');
    await world.run();
    rmSync(world.stateFile, { recursive: true });
    renameSync(`${world.stateFile}.kept`, world.stateFile);
    world.clock.advance(5 * MIN);
    await world.run();
    expect(world.listed()).toEqual([during]);
    expect(told(world, OUTAGE)).toHaveLength(1);
    expect(told(world, BACK)).toHaveLength(1);
  });

  it('a cold instance (its copy lost with the outage still on): failures are told again rather than never (at least once)', async () => {
    const disk = faultyFs([]);
    world = await startWorld({ fs: disk.fs });
    await world.run();
    disk.faults.push({ ops: ['readFile', 'rename'], where: 'state.json', errno: 'EIO' });
    world.clock.advance(5 * MIN);
    const first = world.fail('http://video.example.com/cold/1.mp4');
    await world.run();
    rmSync(`${world.dir}/vod-refresh-monitor`, { recursive: true, force: true });
    world.clock.advance(5 * MIN);
    const second = world.fail('http://video.example.com/cold/2.mp4');
    await world.run();
    const listed = world.listed();
    for (const f of [first, second]) expect(listed.filter((l) => l === f).length).toBeGreaterThanOrEqual(1);
    expect(listed.filter((l) => l === second)).toHaveLength(1);
  });
});

describe('locks left behind never stop the monitor (through the handler)', () => {
  const age = (file: string, ms: number) => utimesSync(file, new Date(Date.now() - ms), new Date(Date.now() - ms));

  it('an empty lock left twice (a kill between create and write, a 0-byte object on the mount): ok, ok, ok, ok', async () => {
    world = await startWorld();
    const statuses: unknown[] = [];
    const failed: string[] = [];
    for (let i = 0; i < 4; i++) {
      if (i === 1 || i === 3) {
        writeFileSync(`${world.stateFile}.lock`, '');
        age(`${world.stateFile}.lock`, 30_000);
      }
      world.clock.advance(5 * MIN);
      failed.push(world.fail(`http://video.example.com/lock/${i}.mp4`));
      statuses.push((await world.run()).status);
    }
    expect(statuses).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(world.listed().sort()).toEqual(failed.sort());
  });

  it('a takeover killed halfway (a stale lock, and a claim 15 minutes old): the next run takes over and reports what failed', async () => {
    world = await startWorld();
    await world.run();
    writeFileSync(
      `${world.stateFile}.lock`,
      JSON.stringify({ token: 't', host: 'gone', pid: 1, acquiredAtMs: world.clock.now() - 20 * MIN, expiresAtMs: world.clock.now() - 15 * MIN }),
    );
    // Any claim name the killed run could have left for that lock: all are older than a run can live.
    for (let n = 1; n <= 8; n++) {
      for (const id of ['00', 'ff']) {
        const m = `${world.stateFile}.lock.takeover-${id}.${n}`;
        writeFileSync(m, JSON.stringify({ token: 'killed', atMs: Date.now() - 15 * MIN }));
        age(m, 15 * MIN);
      }
    }
    world.clock.advance(5 * MIN);
    const f = world.fail('http://video.example.com/after-kill.mp4');
    expect((await world.run()).status).toBe('ok');
    expect(world.listed()).toEqual([f]);
    void shown;
  });

  it('a lock held for longer than a run can take (renewed by a run elsewhere): every run skipped, and said once, with the file to delete', async () => {
    world = await startWorld();
    await world.run();
    const since = world.clock.now();
    const statuses: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      world.clock.advance(5 * MIN);
      writeFileSync(
        `${world.stateFile}.lock`,
        JSON.stringify({ token: 't', host: 'laptop-of-someone', pid: 77, acquiredAtMs: since, expiresAtMs: world.clock.now() + 60_000 }),
      );
      statuses.push((await world.run()).status);
    }
    expect(statuses).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    const said = told(world, /Every run is skipped: the state lock .*state\.json\.lock has been held since/);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('laptop-of-someone');
  });
});
