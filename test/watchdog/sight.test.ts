import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readLock, stateProblem } from '../../lib/watchdog/sight';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vrm-sight-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("what the watchdog reads of the monitor's files, read only", () => {
  it('sees the error code of a state it cannot read, and nothing for one that reads or is not there', async () => {
    const file = path.join(dir, 'state.json');
    expect(await stateProblem(file)).toBeNull();
    writeFileSync(file, '{}');
    expect(await stateProblem(file)).toBeNull();
    rmSync(file);
    mkdirSync(file);
    expect(await stateProblem(file)).toBe('EISDIR');
    writeFileSync(path.join(dir, 'plain'), 'x');
    expect(await stateProblem(path.join(dir, 'plain', 'state.json'))).toBe('ENOTDIR');
  });

  it.each<[string, string | null, unknown]>([
    ['no lock', null, null],
    [
      'a lock',
      JSON.stringify({ token: 't', host: 'fc-host-1', pid: 42, acquiredAtMs: 1000, expiresAtMs: 91_000 }),
      { kind: 'held', host: 'fc-host-1', pid: 42, acquiredAtMs: 1000, expiresAtMs: 91_000 },
    ],
    ['an empty lock', '', { kind: 'garbage', bytes: 0 }],
    ['a torn lock', '{"token":"t","ho', { kind: 'garbage', bytes: 16 }],
    ['JSON that is not a lock', '[1]', { kind: 'garbage', bytes: 3 }],
    ['a lock without fields', '{}', { kind: 'held', host: null, pid: null, acquiredAtMs: null, expiresAtMs: null }],
  ])('reads %s', async (_name, content, seen) => {
    const file = path.join(dir, 'state.json');
    if (content !== null) writeFileSync(`${file}.lock`, content);
    expect(await readLock(file)).toEqual(seen);
  });
});
