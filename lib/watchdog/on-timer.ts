import { decideOutage, type Judgement, judge, outageWindowMs, type Say } from './heartbeat';
import { loadMemory, type OutageMemory, saveMemory } from './memory';
import { describeCause, fixFor, outageMessage, recoveredMessage } from './messages';
import { cannotTell } from './on-failure';
import { look, type Sight } from './sight';
import { tell } from './tell';
import type { AlertConfig, HeartbeatView, WatchdogDeps, WatchdogReport } from './types';

function viewOf(j: Judgement, sight: Sight, config: AlertConfig, told: OutageMemory | null, redact: (s: string) => string): HeartbeatView {
  return {
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

function noticeOf(say: Say, j: Judgement, prev: OutageMemory | null, config: AlertConfig, nowMs: number) {
  if (say === 'recovered') return { topic: 'good-runs-back', atMs: nowMs, code: 'GoodRunsBack', message: recoveredMessage(j, prev!) };
  return {
    topic: 'no-good-run',
    atMs: j.sinceMs,
    code: 'NoGoodRun',
    message: outageMessage(j, j.cause!, config.stateFile, config.cadenceMs, nowMs, say === 'reminder'),
  };
}

/**
 * The dead man's switch, on the watchdog's own timer: reads the heartbeat, the lock and the state (read only), and
 * when no good run happened within the window says so once per outage with the cause it sees, and once when good
 * runs are back. With `status` it only says what it sees: it sends nothing and writes nothing.
 */
export async function onTimer(deps: WatchdogDeps, status: boolean): Promise<WatchdogReport> {
  const mode = status ? 'status' : 'timer';
  if ('problem' in deps.config) return cannotTell(deps, { mode, kind: 'none', cause: 'the alert variables were refused' }, deps.config.problem);
  const config = deps.config;
  const nowMs = deps.now();
  const memory = await loadMemory(config.stateFile);
  const sight = await look(config.stateFile, memory);
  const watchingSinceMs = memory.watch?.sinceMs ?? nowMs;
  const j = judge(sight, outageWindowMs(config.cadenceMs), watchingSinceMs, nowMs);
  const prev = memory.watch?.outage ?? null;
  const decision = decideOutage(prev, j, (c) => deps.redact(describeCause(c, config.stateFile)), nowMs);
  const base = { kind: j.cause?.kind ?? 'none', cause: j.cause ? deps.redact(describeCause(j.cause, config.stateFile)) : 'good runs happen' };
  if (status) return { mode, announced: false, delivered: false, ...base, heartbeat: viewOf(j, sight, config, prev, deps.redact) };
  const notice = decision.say ? noticeOf(decision.say, j, prev, config, nowMs) : null;
  const delivered = notice !== null && (await tell(deps, config, { ...notice, message: deps.redact(notice.message) }));
  const outage = decision.next(delivered);
  const where = await saveMemory(config.stateFile, { ...memory, watch: { sinceMs: watchingSinceMs, outage } });
  deps.logger.info(
    { event: 'watchdog-tick', outage: j.outage, cause: base.kind, said: decision.say, delivered, lastGoodMs: j.lastGoodMs, memory: where },
    decision.say
      ? `${decision.say}: ${delivered ? 'told on-call' : 'not delivered; the next tick tries again'}`
      : j.outage
        ? 'outage already told'
        : 'good runs happen',
  );
  return { mode, announced: decision.say !== null, delivered, ...base, heartbeat: viewOf(j, sight, config, outage, deps.redact) };
}
