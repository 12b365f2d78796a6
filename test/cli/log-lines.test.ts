import { duplicateKeys } from '../helpers/json-keys';
import { type CliWorld, startCliWorld } from './world';

let w: CliWorld;
beforeEach(async () => {
  w = await startCliWorld();
});
afterEach(async () => {
  await w.close();
});

const jsonLines = (text: string) => text.split('\n').filter((l) => l.startsWith('{'));

describe('log lines answer questions and hold each key once', () => {
  it("the function's lines: one per alert on-call was told, with its task id, URL, kind, receiver and request id", async () => {
    await w.world.run();
    w.world.clock.advance(5 * 60_000);
    w.world.fail('http://video.example.com/told.mp4', 60_000, 'Origin Timeout', '700000084');
    w.world.fail('http://video.example.com/signed.mp4?auth_key=1700000000-0-0-0123456789abcdef', 60_000, 'Origin Timeout', '700000085');
    await w.world.run();
    const lines = w.world.sink.lines;
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect({ line, dups: duplicateKeys(line) }).toEqual({ line, dups: [] });
    const told = w.world.sink.records().filter((r) => r.event === 'alert-delivered' && r.taskId === '700000084');
    expect(told).toEqual([
      expect.objectContaining({ level: 'info', kind: 'failed', url: 'http://video.example.com/told.mp4', requestId: 'req-2', receiver: 'default' }),
    ]);
    // A signed URL is a secret: its signature is masked, the rest stays searchable.
    expect(w.world.sink.records().find((r) => r.event === 'alert-delivered' && r.taskId === '700000085')).toMatchObject({
      url: 'http://video.example.com/signed.mp4?auth_key=***',
    });
    expect(w.world.sink.text()).not.toContain('0123456789abcdef');
  });

  it("the CLI's lines with --verbose, cli-command included", async () => {
    const r = await w.cli(['tasks', '--since', '1h', '--verbose']);
    const lines = jsonLines(r.err);
    expect(lines.some((l) => l.includes('"cli-command"'))).toBe(true);
    for (const line of lines) expect({ line, dups: duplicateKeys(line) }).toEqual({ line, dups: [] });
  });
});
