import { inert } from '../notify/escape';
import { duration, localTime } from '../time';
import { type Failure, failureAdvice } from './failure';
import type { Judgement, SeenCause } from './heartbeat';
import type { MemoryHome, OutageMemory } from './memory';
import type { LockSeen } from './sight';

/** Texts from an event or a file are shown inert (no links, no markup); ours are not. */
const shown = (s: string, max = 600) => inert(s, max);

/** The message for a run Function Compute gave up on (with the memory note when the watchdog cannot keep its memory). */
export function failureMessage(f: Failure, memory: MemoryHome = { durable: true }): string {
  const id = f.requestId ?? 'unknown';
  return `A monitor run failed and Function Compute gave up on it at ${localTime(f.atMs)} after ${f.attempts} attempt(s) (request ${shown(id, 100)}): ${shown(f.text)}. Fix: ${failureAdvice(f.kind, f.requestId === null ? null : shown(f.requestId, 100))}. Until a run succeeds, refresh failures are not reported; the next good run says how long the monitor was blind.${memory.durable ? '' : ` ${memoryNote(memory)}`}`;
}

function lockText(lock: LockSeen | null, lockFile: string): string {
  if (lock === null) return `the lock ${lockFile} is free now`;
  if (lock.kind === 'garbage') return `the lock file ${lockFile} holds ${lock.bytes} byte(s) that are not a lock`;
  if (lock.kind === 'unreadable') return `the lock file ${lockFile} cannot be read (${lock.code})`;
  const since = lock.acquiredAtMs === null ? '' : ` since ${localTime(lock.acquiredAtMs)}`;
  const until = lock.expiresAtMs === null ? ', with no expiry' : `, until ${localTime(lock.expiresAtMs)}`;
  return `the lock ${lockFile} is held by ${lock.host ?? 'an unnamed host'}${lock.pid === null ? '' : ` (pid ${lock.pid})`}${since}${until}`;
}

/** What the watchdog sees, in words (the cause of an outage). */
export function describeCause(c: SeenCause, stateFile: string): string {
  switch (c.kind) {
    case 'state':
      return `the monitor's state cannot be read: reading STATE_FILE ${stateFile} gives ${c.code}`;
    case 'heartbeat':
      return `the monitor's heartbeat beside the state cannot be read (${c.code})`;
    case 'failed-for-good':
      return c.failure.kind === 'config'
        ? `the monitor refuses its configuration (told at ${localTime(c.failure.lastAtMs)}): ${c.failure.text}`
        : `runs fail for good (${c.failure.kind}, last at ${localTime(c.failure.lastAtMs)}): ${c.failure.text}`;
    case 'absent':
      if (c.lastRunMs !== null) return `no run at all since ${localTime(c.lastRunMs)}`;
      return c.watchingSinceMs === null
        ? 'no run has left a heartbeat, and the watchdog cannot remember since when it watches'
        : `no run at all since the watchdog began watching at ${localTime(c.watchingSinceMs)}`;
    case 'skipped':
      return `every run since ${localTime(c.sinceMs)} (${c.count}) was skipped by the state lock: ${lockText(c.lock, `${stateFile}.lock`)}`;
    case 'failing':
      return `runs are failing: ${c.count} in a row since ${localTime(c.sinceMs)}; the last, at ${localTime(c.run.atMs)}, ended ${c.run.status}: ${c.run.why ?? 'no reason given'}`;
  }
}

function stateFix(code: string, stateFile: string): string {
  if (code === 'EISDIR') return `STATE_FILE names a folder: point it at a file (s.yaml sets ${stateFile}), or move the folder away`;
  if (code === 'EACCES' || code === 'EPERM')
    return "the function's role may not read it: check oss:GetObject on the state folder (deploy/ram-policy.json) and ossMountConfig in s.yaml";
  if (code === 'ENOTDIR') return `a part of the path ${stateFile} is a file, not a folder: fix STATE_FILE or the mount`;
  return 'the OSS mount does not answer: check the bucket and ossMountConfig in s.yaml; `npx s deploy` mounts it again';
}

const FAILING_FIX: Record<string, string> = {
  'api-down': "the VOD API refuses or does not answer: `npx vod-refresh-monitor doctor` checks the endpoint and the role's vod:DescribeVodRefreshTasks",
  undelivered: '`npx vod-refresh-monitor test-alert` shows why the robot refuses (keyword, signing secret, rate limit)',
  threw: 'the handler threw: look at the run-failed lines in SLS (`npx s vod-refresh-monitor logs --type fail`); the failure handler has the details',
};

/** What on-call should do about what the watchdog sees. */
export function fixFor(c: SeenCause, stateFile: string): string {
  switch (c.kind) {
    case 'state':
      return stateFix(c.code, stateFile);
    case 'heartbeat':
      return `check the OSS mount (ossMountConfig in s.yaml); remove ${stateFile}.heartbeat.json if it is not the monitor's`;
    case 'failed-for-good':
      return failureAdvice(c.failure.kind, c.failure.requestId ? shown(c.failure.requestId, 100) : null);
    case 'absent':
      return 'the timer may be disabled, or the function may not start: `npx vod-refresh-monitor status` shows the timer; a run killed before its end (a timeout, memory) also leaves no heartbeat, and the failure handler tells those';
    case 'skipped':
      return c.lock?.kind === 'held'
        ? `if no monitor run is alive on ${c.lock.host ?? 'that host'}, delete ${stateFile}.lock; a lock that is never let go, or renewed forever, is a defect worth reporting with the run-skipped lines of SLS`
        : `delete ${stateFile}.lock if it is still there; the next run takes the lock`;
    case 'failing':
      return (
        FAILING_FIX[c.run.kind ?? ''] ??
        'look at the run-report lines in SLS (`npx s vod-refresh-monitor logs`); `npx vod-refresh-monitor status` shows the state'
      );
  }
}

function memoryCheck(code: string, file: string): string {
  if (code === 'EISDIR') return `a folder stands at ${file}: move it away`;
  if (code === 'EROFS') return 'the mount is read-only: set `readOnly: false` in ossMountConfig (s.yaml) and `npx s deploy`';
  if (code === 'EACCES' || code === 'EPERM') return "the function's role may not write there: check oss:PutObject on the state folder (deploy/ram-policy.json)";
  if (code === 'ENOTDIR') return `a part of the path ${file} is a file, not a folder`;
  return 'the OSS mount does not answer: check the bucket and ossMountConfig in s.yaml; `npx s deploy` mounts it again';
}

/** What a watchdog that cannot keep its memory says with every message: which file, which error, what to check, and how it tells meanwhile. */
export function memoryNote(home: MemoryHome): string {
  if (home.durable) return '';
  return `The watchdog cannot keep its memory: ${home.file} gives ${home.code}. Check: ${memoryCheck(home.code, home.file)}; if the monitor cannot write there either, its heartbeat is stale and the runs say so themselves. Meanwhile it decides from the heartbeat alone: an outage is told on the first tick after the window and once a day, a monitor with no good run known once an hour, a failed run when it is the first after a good one; it may not say when good runs are back (a fresh instance does not know it told the outage; the monitor's first good run says how long it was blind).`;
}

/** How an outage is told: the state file, the monitor's cadence, now, whether it is the daily reminder, where the memory is. */
export interface OutageTelling {
  readonly stateFile: string;
  readonly cadenceMs: number;
  readonly nowMs: number;
  readonly reminder: boolean;
  readonly memory: MemoryHome;
}

/** The message when no good run happened within the window (or, `reminder`, still none a day later). */
export function outageMessage(j: Judgement, cause: SeenCause, o: OutageTelling): string {
  const what = cause.kind === 'heartbeat' ? 'good monitor run the watchdog can see' : 'good monitor run';
  const head = o.reminder ? `Still no ${what}` : `No ${what}`;
  const seen = j.lastGoodMs === null ? 'none seen' : `the last at ${localTime(j.lastGoodMs)}`;
  const since =
    j.sinceMs === null
      ? `**${head} for an unknown time** (${seen} in the heartbeat`
      : `**${head} for ${duration(o.nowMs - j.sinceMs)}** (${j.lastGoodMs === null ? `none seen since the watchdog began watching at ${localTime(j.sinceMs)}` : seen}`;
  const then = o.memory.durable ? '; you hear again when good runs are back.' : `. ${memoryNote(o.memory)}`;
  return `${since}; runs are due every ${duration(o.cadenceMs)}, and the watchdog speaks after ${duration(j.windowMs)} without a good one). What it sees: ${shown(describeCause(cause, o.stateFile))}. Fix: ${fixFor(cause, o.stateFile)}. Refresh failures are not reported meanwhile${then}`;
}

/** The message when good runs are back after an outage that was told. */
export function recoveredMessage(j: Judgement, outage: OutageMemory): string {
  const last = j.lastGoodMs ?? j.sinceMs ?? outage.sinceMs;
  if (outage.kind === 'heartbeat')
    return `**The monitor's heartbeat reads again**: the last good run at ${localTime(last)} (what the watchdog saw: ${shown(outage.text)}). If runs were good meanwhile, nothing was missed; otherwise the runs report the failures of the gap while the VOD API still holds them (3 days).`;
  return `**Good monitor runs are back**: the last at ${localTime(last)}, after ${duration(last - outage.sinceMs)} without one (what the watchdog saw: ${shown(outage.text)}). The runs report the failures of the gap while the VOD API still holds them (3 days).`;
}
