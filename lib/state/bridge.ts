// A state begun afresh while the one where it belongs could not be read (lib/state/resilient-store.ts) bridged the
// outage from /tmp. When the real one can be read again it wins — it may hold alerts still waiting, the watched rows,
// the failures followed — and takes from the bridge what the outage's runs did: the keys they delivered (so nothing
// they told is told twice, and what they delivered of its outbox leaves it), the alerts they could not deliver, their
// runs and last good run (so the outage of the mount is not told as blindness), the API's health and the sends as
// they last saw them, and the outage itself (so its end is told).
import { type MonitorState, RUNS_KEPT } from './schema';

/** `real` with what the runs of `bridge` delivered, queued and met added. Neither is changed. */
export function withBridge(real: MonitorState, bridge: MonitorState): MonitorState {
  const reported = unionMax(real.reported, bridge.reported);
  const heldKeys = unionMax(real.heldKeys, bridge.heldKeys);
  // What the bridge delivered leaves the real outbox; what it could not deliver joins it, once.
  const stillWaiting = real.outbox.filter((o) => !Object.hasOwn(bridge.reported, o.event.key));
  const queued = new Set(stillWaiting.map((o) => o.event.key));
  const told = (key: string) => Object.hasOwn(real.reported, key) || Object.hasOwn(bridge.reported, key);
  const fromBridge = bridge.outbox.filter((o) => !queued.has(o.event.key) && !told(o.event.key));
  const outbox = [...stillWaiting, ...fromBridge];
  const lastRealRun = real.runs.at(-1)?.atMs ?? Number.NEGATIVE_INFINITY;
  const runs = [...real.runs, ...bridge.runs.filter((r) => r.atMs > lastRealRun)].slice(-RUNS_KEPT);
  // The bridge's good runs count as good: its outage of the mount was not a time the monitor was blind.
  const lastOkMs = Math.max(real.lastOkMs ?? Number.NEGATIVE_INFINITY, bridge.lastOkMs ?? Number.NEGATIVE_INFINITY);
  return {
    ...real,
    reported,
    heldKeys,
    outbox,
    runs,
    lastOkMs: Number.isFinite(lastOkMs) ? lastOkMs : null,
    // The bridge's runs came last: the API's health as they saw it and told it, and their sends (the rate limit).
    health: bridge.health,
    recentSends: bridge.recentSends,
    stateIo: real.stateIo ?? bridge.stateIo,
  };
}

/** The keys of both with the later expiry of each, in a dictionary without a prototype (keys carry API text). */
function unionMax(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = Object.assign(Object.create(null), a);
  for (const [key, until] of Object.entries(b)) out[key] = Math.max(Object.hasOwn(out, key) ? out[key]! : 0, until);
  return out;
}
