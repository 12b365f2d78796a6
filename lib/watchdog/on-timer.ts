import { coldOutageSay, tickMoment } from './cold';
import { decideOutage, type Judgement, judge, outageWindowMs, type Say, type SeenCause } from './heartbeat';
import { type Memory, type MemoryHome, type OutageMemory, openMemory, saveMemory } from './memory';
import { describeCause, fixFor, outageMessage, recoveredMessage } from './messages';
import { cannotTell } from './on-failure';
import { look, type Sight } from './sight';
import { tell } from './tell';
import type { AlertConfig, HeartbeatView, WatchdogDeps, WatchdogReport } from './types';

function viewOf(j: Judgement, sight: Sight, config: AlertConfig, told: OutageMemory | null, memory: MemoryHome, redact: (s: string) => string): HeartbeatView {
  return {
    memory,
    windowMs: j.windowMs,
    cadenceMs: config.cadenceMs,
    lastGoodMs: j.lastGoodMs,
    lastRun: sight.heartbeat?.lastRun ?? null,
    outage: j.outage,
    sinceMs: j.sinceMs,
    cause: j.cause ? { kind: j.cause.kind, text: redact(describeCause(j.cause, config.stateFile)), fix: fixFor(j.cause, config.stateFile) } : null,
    told,
  };
}

function noticeOf(say: Say, j: Judgement, prev: OutageMemory | null, config: AlertConfig, nowMs: number, memory: MemoryHome) {
  if (say === 'recovered') return { topic: 'good-runs-back', atMs: nowMs, code: 'GoodRunsBack', message: recoveredMessage(j, prev!) };
  const o = { stateFile: config.stateFile, cadenceMs: config.cadenceMs, nowMs, reminder: say === 'reminder', memory };
  return { topic: 'no-good-run', atMs: j.sinceMs ?? nowMs, code: 'NoGoodRun', message: outageMessage(j, j.cause!, o) };
}

type Decision = ReturnType<typeof decideOutage>;

/**
 * What to say this tick. With a memory it keeps: once per outage (decideOutage). Without one, an outage is told from
 * durable facts (cold.ts: the heartbeat's last good run, the window, the tick's scheduled time); good runs back are
 * told only by a warm instance that still holds its /tmp copy. Pure.
 */
function decide(o: {
  memory: Memory;
  home: MemoryHome;
  sight: Sight;
  j: Judgement;
  tickMs: number;
  nowMs: number;
  describe: (c: SeenCause) => string;
}): Decision {
  const prev = o.memory.watch?.outage ?? null;
  if (o.home.durable || !o.j.outage) return decideOutage(prev, o.j, o.describe, o.nowMs);
  const sinceMs = o.j.sinceMs ?? o.nowMs;
  // A warm instance still holds the outage it could not deliver: it tries again, as with a memory.
  const undelivered = prev !== null && prev.announcedAtMs === null && prev.sinceMs === sinceMs;
  const say = coldOutageSay(o.sight.heartbeat?.lastGoodMs ?? null, o.j.windowMs, o.tickMs) ?? (undelivered ? 'outage' : null);
  const fresh = { sinceMs, kind: o.j.cause!.kind, text: o.describe(o.j.cause!) };
  return { say, next: (delivered) => (say === null ? prev : { ...fresh, announcedAtMs: delivered ? o.nowMs : null }) };
}

/**
 * The dead man's switch, on the watchdog's own timer: reads the heartbeat, the lock and the state (read only), and
 * when no good run happened within the window says so once per outage with the cause it sees, and once when good
 * runs are back. With `status` it only says what it sees: it sends nothing and writes nothing.
 */
export async function onTimer(deps: WatchdogDeps, status: boolean, triggerTime: string | null = null): Promise<WatchdogReport> {
  const mode = status ? 'status' : 'timer';
  if ('problem' in deps.config) return cannotTell(deps, { mode, kind: 'none', cause: 'the alert variables were refused' }, deps.config.problem);
  const config = deps.config;
  const nowMs = deps.now();
  const { memory, home } = await openMemory(config.stateFile, !status);
  const sight = await look(config.stateFile, memory);
  // Without a memory it keeps, "when watching began" is always now: it is not known, and not pretended.
  const watchingSinceMs = home.durable ? (memory.watch?.sinceMs ?? nowMs) : null;
  const j = judge(sight, outageWindowMs(config.cadenceMs), watchingSinceMs, nowMs, memory.watch?.lastGoodSeenMs ?? null);
  const prev = memory.watch?.outage ?? null;
  const describe = (c: SeenCause) => deps.redact(describeCause(c, config.stateFile));
  const decision = decide({ memory, home, sight, j, tickMs: tickMoment(triggerTime, nowMs), nowMs, describe });
  const base = { kind: j.cause?.kind ?? 'none', cause: j.cause ? describe(j.cause) : 'good runs happen' };
  if (status) return { mode, announced: false, delivered: false, ...base, heartbeat: viewOf(j, sight, config, prev, home, deps.redact) };
  const notice = decision.say ? noticeOf(decision.say, j, prev, config, nowMs, home) : null;
  const delivered = notice !== null && (await tell(deps, config, { ...notice, message: deps.redact(notice.message) }));
  const outage = decision.next(delivered);
  const watch = { sinceMs: watchingSinceMs ?? nowMs, outage, lastGoodSeenMs: j.lastGoodMs };
  const where = await saveMemory(config.stateFile, { ...memory, watch });
  deps.logger.info(
    {
      event: 'watchdog-tick',
      outage: j.outage,
      cause: base.kind,
      said: decision.say,
      delivered,
      lastGoodMs: j.lastGoodMs,
      memory: where,
      memoryDurable: home.durable,
    },
    decision.say
      ? `${decision.say}: ${delivered ? 'told on-call' : home.durable ? 'not delivered; the next tick tries again' : 'not delivered; a warm instance tries again on its next tick, a cold one on the next slot it tells in'}`
      : j.outage
        ? home.durable
          ? 'outage already told'
          : 'outage not told on this tick: without a memory, only the first tick after the window (and one a day) tells it'
        : 'good runs happen',
  );
  return { mode, announced: decision.say !== null, delivered, ...base, heartbeat: viewOf(j, sight, config, outage, home, deps.redact) };
}
