// What `status` shows of the heartbeat as the deployed watchdog sees it (lib/cli/status/heartbeat.ts).

import type { Deployed } from '../../../lib/cli/status/gather';
import { heartbeatFindings } from '../../../lib/cli/status/heartbeat';
import type { HeartbeatView } from '../../../lib/watchdog';

const NOW = Date.parse('2026-12-03T10:00:00Z');
const view = (over: Partial<HeartbeatView> = {}): HeartbeatView => ({
  windowMs: 15 * 60_000,
  cadenceMs: 5 * 60_000,
  lastGoodMs: NOW - 60_000,
  lastRun: null,
  outage: false,
  sinceMs: NOW - 60_000,
  memory: { durable: true },
  cause: null,
  told: null,
  ...over,
});
const deployed = (v: HeartbeatView) => ({ heartbeat: { kind: 'view', view: v } }) as unknown as Deployed;

describe('status: the heartbeat', () => {
  it('says nothing of the memory while the watchdog keeps it', () => {
    expect(
      heartbeatFindings(deployed(view()), NOW)
        .map((f) => f.text)
        .join('\n'),
    ).not.toMatch(/memory/);
  });

  it('warns, with the file, the error and the fix, when the watchdog cannot keep its memory', () => {
    const found = heartbeatFindings(deployed(view({ memory: { durable: false, file: '/mnt/state/watchdog.json', code: 'EISDIR' } })), NOW);
    const memory = found.find((f) => /memory/.test(f.text))!;
    expect(memory.outcome).toBe('warn');
    expect(memory.text).toContain('/mnt/state/watchdog.json (EISDIR)');
    expect(memory.fix).toMatch(/writable/);
  });
});
