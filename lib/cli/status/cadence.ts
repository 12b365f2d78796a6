import { CADENCE_SHARE } from '../../budget';
import type { Finding } from './judge';

/** What `status` needs to judge the cadence: the deployed variable, the timeout and the timer triggers. */
export interface CadenceView {
  readonly cadenceMs: number;
  readonly timeoutSeconds: number | null;
  readonly timers: ReadonlyArray<{ readonly name: string; readonly cron: string | null }>;
}

/**
 * The period of a timer's cron in minutes, or null when it has none that repeats evenly within the hour: `@every 5m`,
 * or six fields (seconds first, an optional CRON_TZ= prefix) whose minutes are `*` or `*\/N` and hours `*`.
 */
export function cronEveryMinutes(cron: string): number | null {
  const text = cron.trim().replace(/^CRON_TZ=\S+\s+/, '');
  const every = /^@every\s+(\d+)m$/.exec(text);
  if (every) return Number(every[1]);
  const fields = text.split(/\s+/);
  if (fields.length !== 6 || !/^\d+$/.test(fields[0]!) || fields.slice(2).some((f) => f !== '*' && f !== '?')) return null;
  if (fields[1] === '*') return 1;
  const step = /^(?:\*|0)\/(\d+)$/.exec(fields[1]!);
  return step && 60 % Number(step[1]) === 0 ? Number(step[1]) : null;
}

const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;

/** The deployed cadence, whether every timer fires at that period, and how long a run may take. */
export function cadenceFindings(d: CadenceView): Finding[] {
  if (d.timers.length === 0) return [];
  const every = d.cadenceMs / 60_000;
  const limitS = Math.min(d.timeoutSeconds ?? Number.POSITIVE_INFINITY, (d.cadenceMs * CADENCE_SHARE) / 1000);
  const text = `cadence: every ${minutes(d.cadenceMs)} (MONITOR_EVERY_MINUTES=${every}); each run ends within ${Math.floor(limitS)} s`;
  const off = d.timers.filter((t) => (t.cron === null ? null : cronEveryMinutes(t.cron)) !== every);
  if (off.length === 0) return [{ outcome: 'ok', text: `${text}, and the timer fires at that period` }];
  return off.map((t) => {
    const period = t.cron === null ? null : cronEveryMinutes(t.cron);
    return {
      outcome: 'warn',
      text: `${text}, but timer ${t.name} ${period === null ? `has no period this can read (${t.cron ?? 'no cron'})` : `fires every ${period} min`}: the blind window and each run's time limit assume ${every} min`,
      fix: "s deploy again: s.yaml writes both the timer's cron and the variable from MONITOR_EVERY_MINUTES (an edit made in the console is undone)",
    };
  });
}
