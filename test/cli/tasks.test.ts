import { EXIT } from '../../lib/cli/main';
import { type CliWorld, startCliWorld } from './world';

const MIN = 60_000;
let w: CliWorld;
beforeEach(async () => {
  w = await startCliWorld();
});
afterEach(async () => {
  await w.close();
});

const describes = () => w.world.vod.stats.log.filter((p) => p.Action === 'DescribeVodRefreshTasks');

describe('tasks', () => {
  it('lists a window newest first, times in UTC+8 and labelled so, progress on stderr only', async () => {
    const now = w.world.clock.now();
    for (let i = 0; i < 120; i++) w.world.vod.store.add({ ObjectPath: `http://vod.example.cn/ok/${i}.mp4`, creationMs: now - 2 * 3600_000 + i * 1000 });
    const fixed = Math.floor((now - 10 * MIN) / 1000) * 1000;
    w.world.vod.store.add({ ObjectPath: 'http://video.example.com/late.mp4', creationMs: fixed, Status: 'Failed', Description: 'Origin Timeout' });
    const r = await w.cli(['tasks', '--since', '3h']);
    expect(r.code).toBe(EXIT.ok);
    const lines = r.out.split('\n');
    expect(lines).toHaveLength(2 + 121);
    expect(lines[0]).toMatch(/^Created \(UTC\+8\)\s+Status\s+Type\s+TaskId\s+Description\s+ObjectPath$/);
    const shanghai = new Date(fixed + 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
    expect(lines[2]).toMatch(new RegExp(`^${shanghai}\\s+Failed\\s+file\\s+\\d+\\s+Origin Timeout\\s+http://video.example.com/late.mp4$`));
    expect(r.err).toContain('read page 3 of 3');
    expect(r.err).toMatch(/121 row\(s\) from .* UTC\+8 to .* UTC\+8; 3 page\(s\), 3 API call\(s\); times are UTC\+8/);
    expect(r.out).not.toContain('read page');
  });

  it('filters Status and domain here without --type, and sends them to the API with --type', async () => {
    const now = w.world.clock.now();
    for (let i = 0; i < 3; i++) w.world.fail(`http://video.example.com/f/${i}.mp4`, (i + 1) * MIN);
    w.world.vod.store.add({ ObjectPath: 'http://other.example.org/f.mp4', creationMs: now - MIN, Status: 'Failed', Description: 'Internal Error' });
    w.world.vod.store.add({ ObjectPath: 'http://video.example.com/ok.mp4', creationMs: now - MIN });
    const local = await w.cli(['tasks', '--status', 'Failed', '--domain', 'VIDEO.example.com', '--json']);
    expect((JSON.parse(local.out) as Array<{ objectPath: string }>).map((t) => t.objectPath).sort()).toEqual(
      [0, 1, 2].map((i) => `http://video.example.com/f/${i}.mp4`),
    );
    expect(describes().at(-1)).not.toHaveProperty('Status');
    expect(describes().at(-1)).not.toHaveProperty('DomainName');
    const remote = await w.cli(['tasks', '--type', 'file', '--status', 'Failed', '--domain', 'video.example.com', '--json']);
    expect(JSON.parse(remote.out)).toHaveLength(3);
    expect(describes().at(-1)).toMatchObject({ ObjectType: 'file', Status: 'Failed', DomainName: 'video.example.com' });
  });

  it('takes a time with its zone, UTC or UTC+8, as the same instant', async () => {
    const hourAgo = Math.floor((w.world.clock.now() - 3600_000) / 1000) * 1000;
    const utc = new Date(hourAgo).toISOString().replace('.000Z', 'Z');
    const cst = `${new Date(hourAgo + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;
    w.world.vod.store.add({ ObjectPath: 'http://video.example.com/edge.mp4', creationMs: hourAgo + 5000 });
    const a = await w.cli(['tasks', '--since', utc, '--json']);
    const b = await w.cli(['tasks', '--since', cst, '--json']);
    expect(a.code).toBe(EXIT.ok);
    expect(JSON.parse(a.out)).toHaveLength(1);
    expect(b.out).toBe(a.out);
    expect(describes().at(-1)!.StartTime).toBe(utc);
  });

  it('reads tens of thousands of rows, page by page, each row once', async () => {
    const now = w.world.clock.now();
    const rows = Array.from({ length: 12_000 }, (_, i) => ({
      ObjectPath: `http://video.example.com/bulk/${i}.ts`,
      creationMs: now - 3600_000 + Math.floor(i / 10) * 1000,
    }));
    w.world.vod.store.addMany(rows);
    const r = await w.cli(['tasks', '--since', '2h', '--json']);
    expect(r.code).toBe(EXIT.ok);
    const listed = JSON.parse(r.out) as Array<{ objectPath: string }>;
    expect(listed).toHaveLength(12_000);
    expect(new Set(listed.map((t) => t.objectPath)).size).toBe(12_000);
    expect(r.err).toContain('read page 240 of 240');
    expect(r.err.split('\n').filter((l) => l.startsWith('read page')).length).toBeLessThanOrEqual(11);
  }, 60_000);
});
