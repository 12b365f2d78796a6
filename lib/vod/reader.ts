import { rowKey } from '../identity';
import type { Clock, Runtime } from '../ports';
import { type RetryPolicy, retry } from '../retry';
import type { RefreshTaskApi } from './client';
import { VodError } from './errors';
import type { Pacer } from './pacer';
import { checkQuery, MAX_PAGE_SIZE } from './params';
import type { RefreshTask, RefreshTaskQuery, TaskPage } from './types';

/** The VOD API's clock, learned from its Date header: local time plus the measured skew. */
export class ApiClock {
  private readonly samples: number[] = [];
  constructor(
    private readonly local: Clock,
    private skew: number,
  ) {}

  /** Now, on the API's clock. */
  now(): number {
    return this.local() + this.skew;
  }

  /** The API's clock minus ours, in ms (the median of this run's samples, or the last run's value). */
  get skewMs(): number {
    return this.skew;
  }

  /** Takes one sample: the Date header has whole seconds, so the server's instant is taken as its middle. */
  observe(serverDateMs: number, sentMs: number, receivedMs: number): void {
    this.samples.push(serverDateMs + 500 - (sentMs + receivedMs) / 2);
    const sorted = [...this.samples].sort((a, b) => a - b);
    this.skew = Math.round(sorted[Math.floor(sorted.length / 2)]!);
    if (this.samples.length > 25) this.samples.splice(0, this.samples.length - 25);
  }
}

export interface ReaderDeps extends Runtime {
  readonly api: RefreshTaskApi;
  readonly pacer: Pacer;
  readonly retryPolicy: RetryPolicy;
  readonly clock: ApiClock;
  /** Epoch ms by which every request must have ended (the pacer refuses later starts; retries do not sleep past it). */
  readonly deadlineMs: number;
}

/** A listing whose rows did not add up to the TotalCount the API gave: what was read is used, and reported. */
export interface Discrepancy {
  readonly query: string;
  readonly expected: number;
  readonly got: number;
}

export interface ReaderStats {
  /** Answers that carried a page. */
  pages: number;
  /** `Throttling` answers seen. */
  throttled: number;
  discrepancies: Discrepancy[];
}

/** The API merges the URLs of one domain submitted in the same second into one task id, up to this many. */
export const MAX_URLS_PER_TASK = 2000;

export type ListQuery = Omit<RefreshTaskQuery, 'pageNumber' | 'pageSize'>;

function describe(q: ListQuery): string {
  return Object.entries(q)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v instanceof Date ? v.toISOString().replace(/\.\d{3}Z$/, 'Z') : String(v)}`)
    .join(' ');
}

/** Reads DescribeVodRefreshTasks: single pages with retry and pacing, whole listings, counts. */
export class VodReader {
  readonly stats: ReaderStats = { pages: 0, throttled: 0, discrepancies: [] };
  private readonly warned = new Set<string>();

  constructor(private readonly deps: ReaderDeps) {}

  /** One page, retried on transient errors; every attempt goes through the pacer (so none starts past the deadline). */
  async page(query: RefreshTaskQuery): Promise<TaskPage> {
    const { deps } = this;
    const { params, warnings } = checkQuery(query, deps.clock.now());
    for (const w of warnings) {
      if (this.warned.has(w)) continue;
      this.warned.add(w);
      deps.logger.warn({ event: 'query-clamped' }, w);
    }
    const page = await retry(
      () =>
        deps.pacer.run(async (timeoutMs) => {
          const sent = deps.now();
          const p = await deps.api.describeRefreshTasks(params, timeoutMs);
          if (p.serverDateMs !== null) deps.clock.observe(p.serverDateMs, sent, deps.now());
          return p;
        }),
      deps.retryPolicy,
      {
        now: deps.now,
        sleep: deps.sleep,
        random: deps.random,
        deadlineMs: deps.deadlineMs,
        isRetryable: (err) => err instanceof VodError && err.retryable,
        onRetry: (err, attempt, delayMs) => {
          const code = err instanceof VodError ? err.code : 'unknown';
          if (code.startsWith('Throttling')) {
            this.stats.throttled++;
            deps.pacer.slowDown();
          }
          deps.logger.warn({ event: 'vod-retry', attempt, delayMs, page: params.PageNumber, err }, 'VOD call failed, retrying');
        },
      },
    );
    this.stats.pages++;
    if (page.skipped.length) {
      deps.logger.warn(
        { event: 'rows-skipped', page: page.pageNumber, count: page.skipped.length, reasons: page.skipped.slice(0, 5), requestId: page.requestId },
        'the API page held rows that cannot be used; they were skipped',
      );
    }
    return page;
  }

  /** How many rows match: one call with a page of one row. */
  async count(query: ListQuery): Promise<number> {
    return (await this.page({ ...query, pageNumber: 1, pageSize: 1 })).totalCount;
  }

  /**
   * Every row that matches, fed page by page to `onRows` (nothing is kept here but the keys seen, for checking).
   * Pages after the first are read concurrently under the pacer. A full last page is followed by the next one
   * (a TotalCount too low cannot hide rows), unless a task id has shown the most rows one can hold; a listing whose TotalCount changed while it was read is read once more
   * (rows can move between pages); rows that still do not add up are reported as a discrepancy, never an error.
   */
  async list(query: ListQuery, onRows: (rows: RefreshTask[]) => void, first?: TaskPage): Promise<{ total: number; seen: number; pages: number }> {
    const seen = new Set<string>();
    const skippedOn = new Map<number, number>();
    let stop: unknown = null;
    // A page is handed on and let go: only its counts are kept, so a listing of 2,000 rows holds no rows.
    type Read = { totalCount: number; rows: number };
    const read = async (pageNumber: number): Promise<Read> => {
      if (stop) throw stop;
      try {
        const p = await this.page({ ...query, pageNumber, pageSize: MAX_PAGE_SIZE });
        for (const t of p.tasks) seen.add(rowKey(t.taskId, t.objectPath));
        if (p.skipped.length) skippedOn.set(pageNumber, p.skipped.length);
        onRows(p.tasks);
        return { totalCount: p.totalCount, rows: p.tasks.length + p.skipped.length };
      } catch (err) {
        stop ??= err;
        throw err;
      }
    };
    const pagesFor = (n: number) => Math.max(1, Math.ceil(n / MAX_PAGE_SIZE));
    let reuse = first;
    if (reuse) {
      for (const t of reuse.tasks) seen.add(rowKey(t.taskId, t.objectPath));
      if (reuse.skipped.length) skippedOn.set(1, reuse.skipped.length);
    }
    const pass = async () => {
      const first: Read = reuse ? { totalCount: reuse.totalCount, rows: reuse.tasks.length + reuse.skipped.length } : await read(1);
      reuse = undefined;
      const totals = [first.totalCount];
      let last = first;
      let read$ = 1;
      if (pagesFor(first.totalCount) > 1) {
        const rest = await Promise.all(Array.from({ length: pagesFor(first.totalCount) - 1 }, (_, i) => read(i + 2)));
        for (const p of rest) totals.push(p.totalCount);
        last = rest.at(-1)!;
        read$ += rest.length;
      }
      // A task id lists at most MAX_URLS_PER_TASK rows: once it has shown them all, no page can follow.
      while (last.rows >= MAX_PAGE_SIZE && !(query.taskId !== undefined && seen.size >= MAX_URLS_PER_TASK)) {
        last = await read(++read$);
        totals.push(last.totalCount);
      }
      return { totals, pages: read$ };
    };
    let { totals, pages } = await pass();
    if (new Set(totals).size > 1) {
      const again = await pass();
      totals = [...totals, ...again.totals];
      pages += again.pages;
    }
    const expected = Math.max(...totals);
    const skipped = [...skippedOn.values()].reduce((a, b) => a + b, 0);
    if (seen.size + skipped < expected) {
      const d = { query: describe(query), expected, got: seen.size };
      this.stats.discrepancies.push(d);
      this.deps.logger.warn({ event: 'total-count-mismatch', ...d }, 'the API listed fewer rows than its TotalCount; what was read is used');
    }
    return { total: expected, seen: seen.size, pages };
  }
}
