// A state begun afresh while the one where it belongs could not be read (lib/state/resilient-store.ts) bridged the
// outage from /tmp. When the real one can be read again it wins — it may hold alerts still waiting, the watched rows,
// the failures followed — and takes from the bridge what the outage's runs did: the keys they delivered (so nothing
// they told is told twice), the alerts they could not deliver, their runs, and the outage itself (so its end is told).
import { type MonitorState, RUNS_KEPT } from './schema';

/** `real` with what the runs of `bridge` delivered, queued and met added. Neither is changed. */
export function withBridge(real: MonitorState, bridge: MonitorState): MonitorState {
  const reported = unionMax(real.reported, bridge.reported);
  const heldKeys = unionMax(real.heldKeys, bridge.heldKeys);
  const queued = new Set(real.outbox.map((o) => o.event.key));
  const outbox = [...real.outbox, ...bridge.outbox.filter((o) => !queued.has(o.event.key) && !Object.hasOwn(real.reported, o.event.key))];
  const lastRealRun = real.runs.at(-1)?.atMs ?? Number.NEGATIVE_INFINITY;
  const runs = [...real.runs, ...bridge.runs.filter((r) => r.atMs > lastRealRun)].slice(-RUNS_KEPT);
  return { ...real, reported, heldKeys, outbox, runs, stateIo: real.stateIo ?? bridge.stateIo };
}

/** The keys of both with the later expiry of each, in a dictionary without a prototype (keys carry API text). */
function unionMax(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = Object.assign(Object.create(null), a);
  for (const [key, until] of Object.entries(b)) out[key] = Math.max(Object.hasOwn(out, key) ? out[key]! : 0, until);
  return out;
}
