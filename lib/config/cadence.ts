// The cadence (MONITOR_EVERY_MINUTES) and the variables whose defaults and limits follow it: the one place that
// turns them into durations, for the function, the deploy check and `status`.
import * as v from 'valibot';
import { derivedInt, int, variable } from './vars';

/** Minutes between runs that the timer can keep evenly (they divide the hour), from 1 to 15. */
export const CADENCES = [1, 2, 3, 4, 5, 6, 10, 12, 15] as const;

const DEFAULT_EVERY = 5;
/** Runs in a row without a good one after which the next good run says the monitor was blind. */
const BLIND_RUNS = 3;
const MIN = 60_000;

/**
 * The default overlap: one cadence, kept within 2 to 5 minutes. How late the API lists a row does not grow with the
 * cadence, so it stops at today's 5 minutes; at a short cadence it shrinks so that a run re-reads at most about two
 * cadences of rows, not six.
 */
const overlapSecondsFor = (every: number) => Math.min(300, Math.max(120, every * 60));

/** MONITOR_EVERY_MINUTES: minutes between runs. */
export const everyMinutes = variable(
  { default: String(DEFAULT_EVERY), accepts: `${CADENCES.join(', ')}: minutes between runs (they divide the hour); s.yaml's timer follows it` },
  (value, refuse) => {
    if (value === undefined || value.trim() === '') return DEFAULT_EVERY;
    const n = Number(value.trim());
    return (CADENCES as readonly number[]).includes(n)
      ? n
      : refuse(
          `${JSON.stringify(value)} is not accepted; use one of ${CADENCES.join(', ')} (minutes that divide the hour, so runs are evenly spaced; default ${DEFAULT_EVERY})`,
        );
  },
);

/** VOD_SCAN_OVERLAP_SECONDS; null when unset (the default follows the cadence). */
export const scanOverlapSeconds = derivedInt(
  'one cadence within 120-300: 300 at 5 minutes',
  0,
  3600,
  '0-3600; re-read before the frontier, for rows the API lists late',
);

/** FIRST_RUN_LOOKBACK_MINUTES: the same hour at every cadence (a time on-call can act on, four runs at the longest). */
export const firstRunLookbackMinutes = int(60, 0, 3 * 24 * 60, '0-4320, the same at every cadence; never less than the overlap');

/** BLIND_AFTER_MINUTES; null when unset (the default follows the cadence). */
export const blindAfterMinutes = derivedInt(
  'three runs: 15 at 5 minutes',
  2,
  24 * 60,
  'more than MONITOR_EVERY_MINUTES, up to 1440; a run finding the last good run longer ago says the monitor was blind',
);

/** The cadence variables as the schema reads them. */
export interface CadenceVariables {
  readonly MONITOR_EVERY_MINUTES: number;
  readonly VOD_SCAN_OVERLAP_SECONDS: number | null;
  readonly FIRST_RUN_LOOKBACK_MINUTES: number;
  readonly BLIND_AFTER_MINUTES: number | null;
}

/** The durations of a run's rhythm, each variable's default following the cadence where it is unset. */
export function cadenceTimings(e: CadenceVariables) {
  const overlapMs = (e.VOD_SCAN_OVERLAP_SECONDS ?? overlapSecondsFor(e.MONITOR_EVERY_MINUTES)) * 1000;
  return {
    cadenceMs: e.MONITOR_EVERY_MINUTES * MIN,
    overlapMs,
    firstRunLookbackMs: Math.max(e.FIRST_RUN_LOOKBACK_MINUTES * MIN, overlapMs),
    blindAfterMs: (e.BLIND_AFTER_MINUTES ?? BLIND_RUNS * e.MONITOR_EVERY_MINUTES) * MIN,
  };
}

/** The rule across variables: a blind window no longer than one cadence would call every run blind. */
export function cadenceProblems(e: Pick<CadenceVariables, 'MONITOR_EVERY_MINUTES' | 'BLIND_AFTER_MINUTES'>): string[] {
  const every = e.MONITOR_EVERY_MINUTES;
  if (e.BLIND_AFTER_MINUTES === null || e.BLIND_AFTER_MINUTES > every) return [];
  return [
    `BLIND_AFTER_MINUTES: ${e.BLIND_AFTER_MINUTES} is not accepted with MONITOR_EVERY_MINUTES=${every}: every run would find the monitor blind; use more than the time between runs, from ${every + 1} to 1440 (default three runs, ${BLIND_RUNS * every})`,
  ];
}

/**
 * The cadence and blind window an environment gives the function, for `status` reading a deployed one: a value the
 * function would refuse counts as its default (that function does not run at all, which `status` reports).
 */
export function timingsOf(env: Readonly<Record<string, string | undefined>>): { cadenceMs: number; blindAfterMs: number } {
  const every = v.safeParse(everyMinutes, env.MONITOR_EVERY_MINUTES);
  const e = every.success ? every.output : DEFAULT_EVERY;
  const blind = v.safeParse(blindAfterMinutes, env.BLIND_AFTER_MINUTES);
  const b = blind.success && cadenceProblems({ MONITOR_EVERY_MINUTES: e, BLIND_AFTER_MINUTES: blind.output }).length === 0 ? blind.output : null;
  const t = cadenceTimings({ MONITOR_EVERY_MINUTES: e, VOD_SCAN_OVERLAP_SECONDS: null, FIRST_RUN_LOOKBACK_MINUTES: 60, BLIND_AFTER_MINUTES: b });
  return { cadenceMs: t.cadenceMs, blindAfterMs: t.blindAfterMs };
}
