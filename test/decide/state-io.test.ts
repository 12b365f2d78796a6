import { stateIoNotices } from '../../lib/decide/state-io';
import { ioAdvice, type StateIo } from '../../lib/state/errors';

const T = Date.parse('2026-12-03T10:00:00Z');
const eio: StateIo = { op: 'read', file: '/mnt/s/state.json', errno: 'EIO' };
const full: StateIo = { op: 'write', file: '/mnt/s/state.json', errno: 'ENOSPC' };
const open = { sinceMs: T - 600_000, ...eio };

describe('stateIoNotices: one notice per outage, one when it ends', () => {
  it.each([
    ['no outage, no problem', null, [], true, null, []],
    ['a problem opens an outage, told', null, [eio], false, { sinceMs: T, ...eio }, ['StateIo']],
    ['the outage goes on: the same key (told once: the outbox and the log drop a key told)', open, [eio], false, open, ['StateIo']],
    ['another problem of the same outage does not open a new one', open, [full], false, open, ['StateIo']],
    ['no problem, but the state still only in the copy: not over yet', open, [], false, open, []],
    ['no problem and saved where it belongs: over, said once', open, [], true, null, ['StateIoBack']],
  ] as const)('%s', (_name, before, problems, saved, after, codes) => {
    const r = stateIoNotices(before, problems, saved, T);
    expect(r.outage).toEqual(after);
    expect(r.events.map((e) => (e.kind === 'notice' ? e.code : e.kind))).toEqual(codes);
    for (const e of r.events) expect(e).toMatchObject({ kind: 'notice', key: expect.stringMatching(/^notice:state-io/) });
  });

  it('an outage keeps one key while it lasts, and its key is kept a day once told (so it is said again after a day)', () => {
    const a = stateIoNotices(null, [eio], false, T);
    const b = stateIoNotices(a.outage, [eio], false, T + 3_600_000);
    expect(b.events[0]!.key).toBe(a.events[0]!.key);
    expect(a.events[0]!.key).not.toMatch(/:\d{10,}$/); // a key of one moment would not be kept (lib/events/keys.ts)
  });
});

describe('stateIoNotices: a lock problem is told as the lock, not the state', () => {
  const claim: StateIo = { op: 'lock', file: '/mnt/s/state.json.lock.takeover-a977c1.1', errno: 'EACCES' };
  const text = (r: ReturnType<typeof stateIoNotices>) => r.events.map((e) => (e.kind === 'notice' ? e.message : '')).join('\n');

  it('names the lock file (a takeover claim by its lock), and says the state is still saved where it belongs', () => {
    const r = stateIoNotices(null, [claim], true, T);
    expect(text(r)).toMatch(/^The monitor cannot take the lock beside its state \(\/mnt\/s\/state\.json\.lock, EACCES\)/);
    expect(text(r)).toContain('the state is still saved where it belongs');
    expect(text(r)).not.toMatch(/its state at \S*\.lock/);
  });

  it('a save problem beside a lock problem is the one told', () => {
    expect(text(stateIoNotices(null, [claim, full], false, T))).toMatch(/^The monitor cannot save its state at \/mnt\/s\/state\.json \(ENOSPC\)/);
  });

  it('its end says the lock is taken again, not that the state is saved again', () => {
    const back = text(stateIoNotices({ sinceMs: T - 60_000, ...claim }, [], true, T));
    expect(back).toMatch(/^The monitor takes the lock beside its state \(\/mnt\/s\/state\.json\.lock\) again/);
  });
});

describe('what the notices say', () => {
  it.each([
    ['read', 'read'],
    ['write', 'save'],
  ] as const)('a problem to %s the state says the monitor cannot %s it, where, since when, and what to check', (op, verb) => {
    const io: StateIo = { op, file: '/mnt/s/state.json', errno: 'EIO' };
    const [e] = stateIoNotices(null, [io], false, T).events;
    expect(e).toEqual({
      kind: 'notice',
      key: `notice:state-io:${T}:${op}:EIO`,
      code: 'StateIo',
      message: `The monitor cannot ${verb} its state at /mnt/s/state.json (EIO), since 2026-12-03 18:00:00 UTC+8. Check: ${ioAdvice(io)}. It goes on watching from a copy in this instance's /tmp: new failures are still reported, and some may be reported twice until this is fixed.`,
    });
  });

  it('the message names the problem met now, the time since the outage began', () => {
    const [e] = stateIoNotices(open, [full], false, T).events;
    expect(e!.key).toBe(`notice:state-io:${open.sinceMs}:read:EIO`);
    expect(e!.kind === 'notice' && e.message).toMatch(
      /^The monitor cannot save its state at \/mnt\/s\/state.json \(ENOSPC\), since 2026-12-03 17:50:00 UTC\+8\./,
    );
  });

  it.each([
    ['read', 'read'],
    ['write', 'save'],
  ] as const)('the end of an outage to %s the state says what it could not do, since when, and why', (op, verb) => {
    const [e] = stateIoNotices({ sinceMs: T - 600_000, op, file: '/mnt/s/state.json', errno: 'EIO' }, [], true, T).events;
    expect(e).toEqual({
      kind: 'notice',
      key: `notice:state-io-back:${T}`,
      code: 'StateIoBack',
      message: `The monitor saves its state at /mnt/s/state.json again (it could not ${verb} it since 2026-12-03 17:50:00 UTC+8, EIO).`,
    });
  });
});
