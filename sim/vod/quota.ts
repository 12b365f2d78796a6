import type { ApiError } from './errors';

/** A count per kind of daily quota: URL refreshes, directory refreshes, preloads. */
export interface QuotaCounts {
  url: number;
  dir: number;
  preload: number;
}

/** The documented default daily quotas of an account. */
export const DEFAULT_QUOTA: Readonly<QuotaCounts> = Object.freeze({ url: 2000, dir: 100, preload: 500 });

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3600_000;

/** The calendar day of `ms` in Asia/Shanghai (UTC+8, no daylight saving), as a day number. */
export const shanghaiDay = (ms: number): number => Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS);

/** The account's daily refresh and preload quota: what remains today, back to the limits at 00:00 Asia/Shanghai. */
export class DailyQuota {
  readonly limits: Readonly<QuotaCounts>;
  /** What remains today; tests may write it. */
  readonly remain: QuotaCounts;
  private day: number;

  constructor(limits: Partial<QuotaCounts> | undefined, nowMs: number) {
    this.limits = Object.freeze({ ...DEFAULT_QUOTA, ...limits });
    this.remain = { ...this.limits };
    this.day = shanghaiDay(nowMs);
  }

  /** Restores the limits when a new Shanghai day has begun. */
  roll(nowMs: number): void {
    const day = shanghaiDay(nowMs);
    if (day === this.day) return;
    this.day = day;
    Object.assign(this.remain, this.limits);
  }

  /** Takes `n` of a kind, or throws `error` and takes nothing when less remains. */
  spend(kind: keyof QuotaCounts, n: number, error: ApiError): void {
    if (n > this.remain[kind]) throw error;
    this.remain[kind] -= n;
  }
}
