import type { RowPatch } from './row';

/** A change to one row, due at `atMs`. */
export interface ScheduledChange {
  readonly atMs: number;
  readonly taskId: string;
  readonly objectPath: string;
  readonly patch: RowPatch;
}

interface Entry extends ScheduledChange {
  readonly seq: number;
}

const before = (a: Entry, b: Entry) => a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);

/** Future row changes in a binary min-heap by due time (ties in the order they were scheduled). */
export class ChangeQueue {
  private readonly heap: Entry[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Queues a change. */
  push(change: ScheduledChange): void {
    const { heap } = this;
    heap.push({ ...change, seq: this.seq++ });
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  /** Takes the earliest change if it is due at `nowMs` or before. */
  popDue(nowMs: number): ScheduledChange | undefined {
    const { heap } = this;
    const top = heap[0];
    if (top === undefined || top.atMs > nowMs) return undefined;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}
