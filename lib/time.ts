/** Asia/Shanghai is UTC+8 all year (no daylight saving since 1991): plain arithmetic, no ICU time zone data at cold start. */
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai, without the zone. */
export function shanghaiTime(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/** `yyyy-MM-dd HH:mm:ss UTC+8`: every time a person reads carries its zone. */
export function localTime(ms: number): string {
  return `${shanghaiTime(ms)} UTC+8`;
}

/** A duration in words: `45 min`, `3 h 5 min`, `2 d 4 h`. */
export function duration(ms: number): string {
  const min = Math.max(0, Math.round(ms / 60_000));
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return `${h} h${min % 60 ? ` ${min % 60} min` : ''}`;
  return `${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ''}`;
}
