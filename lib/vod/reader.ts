import { retry, type RetryPolicy } from '../retry';
import type { Runtime } from '../ports';
import type { RefreshTaskApi } from './client';
import { PageLimitError, VodError } from './errors';
import { checkQuery, MAX_PAGE_SIZE } from './params';
import type { Pacer } from './pacer';
import type { RefreshTask, RefreshTaskQuery, TaskPage } from './types';

export interface ReaderDeps extends Runtime {
  readonly api: RefreshTaskApi;
  readonly pacer: Pacer;
  readonly retryPolicy: RetryPolicy;
  /** Epoch ms after which no new request starts. */
  readonly deadlineMs: number;
  /** Pages one scan may read before it fails with PageLimitError. */
  readonly maxPages: number;
}

/** Filters a scan passes on to the API. */
export type ScanFilters = Pick<RefreshTaskQuery, 'objectType' | 'domainName' | 'status'>;

export interface ScanResult {
  /** Every task of the window, once each. */
  readonly tasks: RefreshTask[];
  readonly totalCount: number;
  readonly pagesRead: number;
  readonly skipped: string[];
  readonly firstPage: TaskPage;
}

export interface ScanOptions {
  readonly startMs: number;
  /** Fixed when the scan starts, so tasks created meanwhile cannot shift the pages. */
  readonly endMs: number;
  readonly filters?: ScanFilters;
  /** Reuse a first page already read for the same window and filters. */
  readonly firstPage?: TaskPage;
  readonly onProgress?: (pagesRead: number, pagesTotal: number) => void;
}

const TERMINAL = new Set(['Failed', 'Complete']);

/** Keeps one row per TaskId; when a task changed between pages, the terminal status wins. */
export function dedupeTasks(tasks: Iterable<RefreshTask>): RefreshTask[] {
  const byId = new Map<string, RefreshTask>();
  for (const t of tasks) {
    const seen = byId.get(t.taskId);
    if (!seen || (!TERMINAL.has(seen.status) && TERMINAL.has(t.status))) byId.set(t.taskId, t);
  }
  return [...byId.values()];
}

/** Reads refresh tasks: single pages with retry and pacing, whole windows, single tasks by id. */
export class TaskReader {
  constructor(private readonly deps: ReaderDeps) {}

  /** One page, retried on transient errors inside the deadline; every attempt goes through the pacer. */
  async page(query: RefreshTaskQuery): Promise<TaskPage> {
    const { params, warnings } = checkQuery(query, this.deps.now());
    for (const w of warnings) this.deps.logger.warn({ event: 'query-clamped' }, w);
    const { deps } = this;
    const page = await retry(() => deps.pacer.run(() => deps.api.describeRefreshTasks(params)), deps.retryPolicy, {
      now: deps.now,
      sleep: deps.sleep,
      random: deps.random,
      deadlineMs: deps.deadlineMs,
      isRetryable: (err) => err instanceof VodError && err.retryable,
      onRetry: (err, attempt, delayMs) =>
        deps.logger.warn(
          { event: 'vod-retry', attempt, delayMs, page: params.PageNumber, err: err instanceof VodError ? err.toJSON() : undefined },
          'VOD call failed, retrying',
        ),
    });
    if (page.skipped.length) {
      deps.logger.warn({ event: 'rows-skipped', page: page.pageNumber, count: page.skipped.length, reasons: page.skipped.slice(0, 5), requestId: page.requestId }, 'the API page held rows that cannot be used; they were skipped');
    }
    return page;
  }

  /** The task with this id, or null when the API no longer holds it. */
  async byTaskId(taskId: string): Promise<RefreshTask | null> {
    const page = await this.page({ taskId });
    return page.tasks.find((t) => t.taskId === taskId) ?? null;
  }

  /**
   * Every task created in [startMs, endMs], once each. Page 1 is read first for TotalCount; the rest are read
   * concurrently under the pacer. If TotalCount grows while reading, the extra pages are read too. A window
   * larger than `maxPages` pages fails loudly instead of being truncated.
   */
  async scan(options: ScanOptions): Promise<ScanResult> {
    const base: RefreshTaskQuery = { ...options.filters, startTime: new Date(options.startMs), endTime: new Date(options.endMs), pageSize: MAX_PAGE_SIZE };
    const first = options.firstPage ?? (await this.page({ ...base, pageNumber: 1 }));
    const pages: TaskPage[] = [first];
    let total = first.totalCount;
    let read = 1;
    const planned = (n: number) => Math.max(1, Math.ceil(n / MAX_PAGE_SIZE));
    if (planned(total) > this.deps.maxPages) throw new PageLimitError(total, MAX_PAGE_SIZE, this.deps.maxPages);
    options.onProgress?.(read, planned(total));
    while (read < planned(total)) {
      const numbers: number[] = [];
      for (let p = read + 1; p <= planned(total); p++) numbers.push(p);
      let failed = false;
      const batch = await Promise.all(
        numbers.map(async (pageNumber) => {
          try {
            const page = await this.page({ ...base, pageNumber });
            options.onProgress?.(++read, planned(total));
            return page;
          } catch (err) {
            if (!failed) {
              failed = true;
              this.deps.pacer.clear();
            }
            throw err;
          }
        }),
      );
      pages.push(...batch);
      read = pages.length;
      const grown = Math.max(total, ...batch.map((p) => p.totalCount));
      if (grown > total) {
        this.deps.logger.info({ event: 'scan-grew', from: total, to: grown }, 'the window grew while it was read; reading the extra pages');
        total = grown;
        if (planned(total) > this.deps.maxPages) throw new PageLimitError(total, MAX_PAGE_SIZE, this.deps.maxPages);
      }
    }
    const tasks = dedupeTasks(pages.flatMap((p) => p.tasks));
    const skipped = pages.flatMap((p) => p.skipped.map((s) => `page ${p.pageNumber} ${s}`));
    const minTotal = Math.min(...pages.map((p) => p.totalCount));
    if (tasks.length + skipped.length < minTotal) {
      throw new VodError({
        code: 'IncompleteScan',
        message: `the API reported ${minTotal} tasks but its pages held ${tasks.length + skipped.length}`,
        retryable: true,
      });
    }
    return { tasks, totalCount: total, pagesRead: pages.length, skipped, firstPage: first };
  }
}
