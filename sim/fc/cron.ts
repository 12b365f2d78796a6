// When a Function Compute timer fires: on the marks of its cron expression (six fields, seconds first, UTC unless
// prefixed CRON_TZ=...), or every period of `@every`. Pure: the simulator's timer sleeps until the next mark.

/** A cron expression the simulated timer cannot follow: the message says what it takes. */
export class CronError extends Error {
  override name = 'CronError';
}

/** Zones the simulator knows, with their fixed offsets (Asia/Shanghai has had no daylight saving since 1991). */
const ZONES: Record<string, number> = { UTC: 0, 'Etc/UTC': 0, 'Asia/Shanghai': 8 * 3600_000 };
const DAY_MS = 86_400_000;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3600_000 };

/** The values of one field (`*`, `*\/5`, `7`, `1-5`, `10-50/10`, lists of those), sorted. */
function field(text: string, min: number, max: number, name: string): number[] {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^(\*|\d{1,2})(?:-(\d{1,2}))?(?:\/(\d{1,2}))?$/.exec(part);
    if (!m) throw new CronError(`the ${name} field ${JSON.stringify(text)} is not understood; use *, */n, a, a-b, a-b/n or lists of those`);
    const from = m[1] === '*' ? min : Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : m[1] === '*' || m[3] !== undefined ? max : from;
    const step = m[3] !== undefined ? Number(m[3]) : 1;
    if (from < min || to > max || from > to || step < 1) throw new CronError(`the ${name} field ${JSON.stringify(text)} is outside ${min}-${max}`);
    for (let v = from; v <= to; v += step) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

/** A parsed expression: either a period, or the seconds, minutes and hours it fires at in its zone. */
type Schedule = { everyMs: number } | { offsetMs: number; seconds: number[]; minutes: number[]; hours: number[] };

/** Parses a Function Compute timer expression; the day, month and weekday fields must be * or ? here. */
export function parseCron(expression: string): Schedule {
  let text = expression.trim();
  let offsetMs = 0;
  const tz = /^CRON_TZ=(\S+)\s+(.*)$/.exec(text);
  if (tz) {
    if (!(tz[1]! in ZONES)) throw new CronError(`CRON_TZ=${tz[1]} is not a zone the simulator knows (${Object.keys(ZONES).join(', ')})`);
    offsetMs = ZONES[tz[1]!]!;
    text = tz[2]!;
  }
  const every = /^@every\s+(\d{1,5})([smh])$/.exec(text);
  if (every) return { everyMs: Math.max(1000, Number(every[1]) * UNIT_MS[every[2]!]!) };
  const f = text.split(/\s+/);
  if (f.length !== 6) throw new CronError(`${JSON.stringify(expression)} has ${f.length} fields; Function Compute takes six, seconds first (0 */5 * * * *)`);
  for (const [i, name] of [
    [3, 'day-of-month'],
    [4, 'month'],
    [5, 'day-of-week'],
  ] as const)
    if (f[i] !== '*' && f[i] !== '?') throw new CronError(`the ${name} field ${JSON.stringify(f[i])} is not supported by the simulator; use * or ?`);
  return { offsetMs, seconds: field(f[0]!, 0, 59, 'seconds'), minutes: field(f[1]!, 0, 59, 'minutes'), hours: field(f[2]!, 0, 23, 'hours') };
}

/** The first mark strictly after `afterMs` (epoch ms) at which the timer fires. */
export function nextCronMark(expression: string, afterMs: number): number {
  const s = parseCron(expression);
  if ('everyMs' in s) return (Math.floor(afterMs / s.everyMs) + 1) * s.everyMs;
  const local = Math.floor((afterMs + s.offsetMs) / 1000) * 1000 + 1000;
  const day = Math.floor(local / DAY_MS) * DAY_MS;
  const into = local - day;
  for (const d of [0, DAY_MS])
    for (const h of s.hours)
      for (const m of s.minutes)
        for (const sec of s.seconds) {
          const at = d + h * 3600_000 + m * 60_000 + sec * 1000;
          if (at >= into) return day + at - s.offsetMs;
        }
  throw new CronError(`${JSON.stringify(expression)} never fires`);
}
