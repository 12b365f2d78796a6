import { shown, startWorld } from '../helpers/world';

type World = Awaited<ReturnType<typeof startWorld>>;
let world: World;
afterEach(async () => {
  await world?.close();
});

const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('hostile API pages through the whole pipeline', () => {
  it('wrong types, unknown statuses, duplicate TaskIds, 10 KB paths and control characters: no crash, nothing silent', async () => {
    world = await startWorld();
    await world.run();
    world.clock.advance(5 * 60_000);
    const now = world.clock.now();
    const rows = [
      {
        TaskId: '900000001',
        ObjectPath: `http://video.example.com/${'x'.repeat(10_000)}\n# @all [click](http://evil.example)`,
        ObjectType: 'file',
        Status: 'Failed',
        Process: '0%',
        CreationTime: at(now - 60_000),
        Description: 'Origin Timeout',
      },
      {
        TaskId: '900000001',
        ObjectPath: 'http://video.example.com/dup.mp4',
        ObjectType: 'file',
        Status: 'Refreshing',
        Process: '1%',
        CreationTime: at(now - 60_000),
      },
      {
        TaskId: '900000002',
        ObjectPath: 'http://视频.example.com/路径/\u0007bell.mp4',
        ObjectType: 'file',
        Status: 'Failed',
        CreationTime: at(now - 50_000),
        Description: 'Réponse \u202e inattendue',
      },
      { TaskId: '900000003', ObjectPath: 'http://video.example.com/q.mp4', ObjectType: 'file', Status: 'Queued', CreationTime: at(now - 45 * 60_000) },
      { TaskId: { nested: true }, ObjectPath: 'http://video.example.com/bad-id.mp4', Status: 'Failed', CreationTime: at(now) },
      { TaskId: '900000004', ObjectPath: 42, ObjectType: null, Status: 7, CreationTime: 'yesterday' },
      null,
      'a string row',
    ];
    world.vod.faults.queue.push({ kind: 'body', body: { Tasks: { Task: rows }, PageNumber: 1, PageSize: 50, TotalCount: rows.length, RequestId: 'HOSTILE' } });
    const report = await world.run();
    expect(report).toMatchObject({ status: 'ok', failures: { new: 2 }, stuck: 1 });
    const records = world.sink.records();
    expect(records.find((r) => r.event === 'rows-skipped')).toMatchObject({ count: 3 });
    expect(records.some((r) => r.event === 'unknown-status' && r.status === 'Queued')).toBe(true);
    const m = world.ding.accepted.at(-1)!;
    expect(m.bytes).toBeLessThanOrEqual(20_000);
    const text = m.body.markdown!.text;
    expect(text.split('\n').filter((l) => l.startsWith('#'))).toHaveLength(4);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for a BEL character that must not survive
    expect(text).not.toMatch(/\u0007|\u202e|@all|\[click\]|evil\.example\)/);
    expect(m.body.at).toEqual({ atMobiles: ['13800000000'], atUserIds: [], isAtAll: false });
    expect(
      world
        .listed()
        .map((x) => x.split(' ')[0])
        .sort(),
    ).toEqual(['900000001', '900000002']);
    expect(world.listed()).toContain(shown({ TaskId: '900000002', ObjectPath: 'http://视频.example.com/路径/\u0007bell.mp4' }));
  });

  it.each([
    ['not JSON', Buffer.from('{{{')],
    ['an array', Buffer.from('[]')],
    ['a payload that is not JSON', Buffer.from('{"triggerTime":"2026-11-28T00:00:00Z","payload":"dryRun"}')],
    ['a dryRun that is not a boolean', Buffer.from('{"payload":"{\\"dryRun\\":\\"yes\\"}"}')],
    ['a huge event', Buffer.alloc(100_000, 97)],
  ])('a timer event that is %s runs with defaults and says why', async (_n, event) => {
    world = await startWorld();
    const handler = world.built.createHandler({ env: world.env, now: world.clock.now, sleep: world.clock.sleep, logDestination: world.sink.stream });
    const report = await handler(event, {
      credentials: { accessKeyId: 'STS.NUworldKey', accessKeySecret: 'world-sts-secret-7c1d', securityToken: 'CAIS-world-token-b3e2' },
      function: { timeout: 60 },
    });
    expect(report).toMatchObject({ status: 'ok', dryRun: false });
    expect(world.sink.records().some((r) => r.event === 'event-ignored')).toBe(true);
  });
});
