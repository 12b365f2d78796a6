import { MAX_ROWS_PER_TASK, type SubmitKind } from './merge';
import { compareIds, FAILURE_DESCRIPTIONS, type SimTask } from './row';
import type { RowInput, TaskStore } from './store';

/** How seedHistory shapes a history. */
export interface HistoryOptions {
  readonly nowMs: number;
  /** Rows to create. */
  readonly count: number;
  readonly random: () => number;
  readonly domains?: string[];
  /** Share of rows that failed; default 0.03. */
  readonly failureRate?: number;
  /** Share of rows still Refreshing or Pending, all created in the last 10 minutes; default 0.01. */
  readonly unfinishedRate?: number;
  /** Oldest creation time, ms before now; default 3 days less 10 minutes. */
  readonly spanMs?: number;
  /** Submit URLs in calls of 1 to 200 as a CMS does, merged by domain and second into TaskIds (default); false: one row per TaskId. */
  readonly batch?: boolean;
}

/** One refresh or preload call of the CMS: `size` URLs of one video (or series) on one domain. */
interface Call {
  readonly size: number;
  readonly domain: string;
  readonly kind: SubmitKind;
}

/** A TaskId still taking URLs in the current second. */
interface OpenId {
  readonly taskId: string;
  /** Videos (or series) it holds, so that no URL repeats in it; null when unbatched (one row per id). */
  readonly names: Set<string> | null;
  rows: number;
}

const RECENT_MS = 600_000;
const CHUNK = 20_000;
const COMPLETE = ['Complete', '100%', undefined] as const;

/** URLs in one call: mostly one, sometimes a CMS's batch of up to 200 (a playlist and its segments); directories a few at a time. */
function callSize(random: () => number, kind: SubmitKind): number {
  if (kind === 'directory') return 1 + Math.floor(random() * 3);
  const r = random();
  if (r < 0.5) return 1;
  if (r < 0.8) return 2 + Math.floor(random() * 9);
  if (r < 0.95) return 11 + Math.floor(random() * 40);
  return 51 + Math.floor(random() * 150);
}

/** The i-th URL of a call about video (or series) `name`. */
function urlOf(call: Call, name: string, i: number): string {
  const base = `http://${call.domain}/${call.kind === 'directory' ? 'series' : 'videos'}/${name}/`;
  if (call.kind === 'directory') return i === 0 ? base : `${base}season-${i}/`;
  if (call.size === 1) return `${base}${call.kind === 'preload' ? 'index.m3u8' : 'video.mp4'}`;
  return i === 0 ? `${base}index.m3u8` : `${base}seg-${i}.ts`;
}

/** Status, Process and Description of a row: unfinished when recent, else complete or now and then failed. */
function rowState(random: () => number, recent: boolean, failureRate: number): readonly [string, string, string | undefined] {
  if (recent) return random() < 0.5 ? ['Refreshing', `${Math.floor(random() * 90)}%`, undefined] : ['Pending', '0%', undefined];
  if (random() < failureRate) return ['Failed', '0%', FAILURE_DESCRIPTIONS[Math.floor(random() * FAILURE_DESCRIPTIONS.length)]];
  return COMPLETE;
}

/** Seeds a realistic 3-day history of file, directory and preload rows over several domains, with failures, added in bulk. */
export function seedHistory(store: TaskStore, options: HistoryOptions): SimTask[] {
  const { random, nowMs, count } = options;
  const domains = options.domains ?? ['video.example.com', 'vod.example.cn', 'media.example.net'];
  const span = options.spanMs ?? 3 * 24 * 3600_000 - RECENT_MS;
  const unfinishedRate = options.unfinishedRate ?? 0.01;
  // Failures are drawn among finished rows only, so that they are failureRate of all rows.
  const failureRate = (options.failureRate ?? 0.03) / Math.max(1e-9, 1 - unfinishedRate);
  const batched = options.batch ?? true;
  const pool = Math.max(1000, count) * 4;
  const draw = () => Math.floor(random() * pool).toString(36);

  // The calls, as parallel arrays (a million of them when unbatched): kind, domain and size.
  const kinds: SubmitKind[] = [];
  const domainOf = new Uint16Array(count);
  const sizes = new Uint8Array(count);
  for (let planned = 0; planned < count; ) {
    domainOf[kinds.length] = Math.floor(random() * domains.length);
    const r = random();
    const kind: SubmitKind = r < 0.7 ? 'file' : r < 0.8 ? 'directory' : 'preload';
    const size = Math.min(batched ? callSize(random, kind) : 1, count - planned);
    sizes[kinds.length] = size;
    kinds.push(kind);
    planned += size;
  }
  // Times are drawn apart from the calls and sorted as numbers, so that TaskIds grow with time.
  const times = new Float64Array(kinds.length);
  for (let i = 0; i < times.length; i++) {
    times[i] = random() < unfinishedRate ? nowMs - Math.floor(random() * RECENT_MS) : nowMs - RECENT_MS - Math.floor(random() * (span - RECENT_MS));
  }
  times.sort();

  const added: SimTask[] = [];
  let inputs: RowInput[] = [];
  let second: RowInput[] = [];
  let secondOf = NaN;
  const open = new Map<string, OpenId>();
  const flushSecond = (last = false) => {
    // One second's rows in the store's order (TaskId ascending, ObjectPath descending): the bulk add then needs no sort.
    second.sort((a, b) => compareIds(a.TaskId!, b.TaskId!) || (a.ObjectPath < b.ObjectPath ? 1 : -1));
    for (const row of second) inputs.push(row);
    second = [];
    // Whole seconds go to the store in chunks, each appended in order: the inputs die young and cost the collector little.
    if (last || inputs.length >= CHUNK) {
      for (const row of store.addMany(inputs)) added.push(row);
      inputs = [];
    }
  };
  kinds.forEach((kind, c) => {
    const call: Call = { kind, domain: domains[domainOf[c]!]!, size: sizes[c]! };
    const ms = times[c]!;
    const recent = ms > nowMs - RECENT_MS;
    if (Math.floor(ms / 1000) !== secondOf) {
      flushSecond();
      open.clear();
      secondOf = Math.floor(ms / 1000);
    }
    const key = `${call.kind}\n${call.domain}`;
    let name = '';
    for (let i = 0; i < call.size; i++) {
      let id = batched ? open.get(key) : undefined;
      if (id === undefined || id.rows >= MAX_ROWS_PER_TASK) {
        id = { taskId: store.nextTaskId(), names: batched ? new Set() : null, rows: 0 };
        if (batched) open.set(key, id);
      }
      if (i === 0) {
        do name = draw();
        while (id.names?.has(name));
      }
      id.names?.add(name);
      id.rows++;
      const [Status, Process, Description] = rowState(random, recent, failureRate);
      second.push({ TaskId: id.taskId, ObjectPath: urlOf(call, name, i), ObjectType: call.kind, Status, Process, Description, creationMs: ms });
    }
  });
  flushSecond(true);
  return added;
}
