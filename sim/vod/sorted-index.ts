import { compareRows, type StoredRow } from './row';

const BLOCK = 1024;

/**
 * Rows in the store's order (oldest first), read backwards for the API's newest first. Kept in sorted blocks of about
 * BLOCK rows, so that a status change in the middle of a million rows moves a thousand references, not a million.
 */
export class SortedIndex {
  private blocks: StoredRow[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Every row, oldest first. */
  toArray(): StoredRow[] {
    return this.blocks.flat();
  }

  /** Adds one row; new rows usually go at the end. */
  insert(row: StoredRow): void {
    this.count++;
    const b = this.blockFor(row);
    const block = this.blocks[b];
    if (block === undefined) {
      this.blocks.push([row]);
      return;
    }
    block.splice(upperBound(block, row), 0, row);
    if (block.length > 2 * BLOCK) this.blocks.splice(b, 1, block.slice(0, BLOCK), block.slice(BLOCK));
  }

  /** Adds rows that are already in the store's order: appended when they all come last, else merged in one pass. */
  insertSorted(added: readonly StoredRow[]): void {
    const first = added[0];
    if (first === undefined) return;
    const lastBlock = this.blocks[this.blocks.length - 1];
    const last = lastBlock?.[lastBlock.length - 1];
    if (last !== undefined && compareRows(last, first) > 0) {
      if (added.length < 64) for (const row of added) this.insert(row);
      else this.rebuild(merge(this.blocks.flat(), added));
      return;
    }
    let block = lastBlock && lastBlock.length < BLOCK ? lastBlock : undefined;
    for (const row of added) {
      if (block === undefined || block.length >= BLOCK) {
        block = [];
        this.blocks.push(block);
      }
      block.push(row);
    }
    this.count += added.length;
  }

  /** Removes a row that is in the index. */
  remove(row: StoredRow): void {
    const b = this.blockFor(row);
    const block = this.blocks[b];
    const at = block ? lowerBound(block, row) : -1;
    if (!block || block[at] !== row) throw new Error(`row ${row.TaskId} ${row.ObjectPath} is not indexed where expected`);
    block.splice(at, 1);
    if (block.length === 0) this.blocks.splice(b, 1);
    this.count--;
  }

  /** The half-open positions [lo, hi) of the rows created within [fromMs, toMs], both ends included. */
  window(fromMs: number, toMs: number): [number, number] {
    return [this.position((ms) => ms < fromMs), this.position((ms) => ms <= toMs)];
  }

  /** Visits positions hi-1 down to lo (newest first) until `visit` answers false. */
  backward(lo: number, hi: number, visit: (row: StoredRow) => boolean): void {
    let k = 0;
    let start = 0;
    while (k < this.blocks.length && start + this.blocks[k]!.length < hi) start += this.blocks[k++]!.length;
    // Block k holds position hi-1 and begins at position `start`.
    for (let i = hi - 1; i >= lo && k >= 0; ) {
      const block = this.blocks[k]!;
      for (let j = i - start; j >= 0 && i >= lo; j--, i--) if (!visit(block[j]!)) return;
      if (--k >= 0) start -= this.blocks[k]!.length;
    }
  }

  /** The first position whose createdMs no longer satisfies `before` (rows are sorted by createdMs). */
  private position(before: (createdMs: number) => boolean): number {
    let offset = 0;
    for (const block of this.blocks) {
      if (before(block[block.length - 1]!.createdMs)) {
        offset += block.length;
        continue;
      }
      let lo = 0;
      let hi = block.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (before(block[mid]!.createdMs)) lo = mid + 1;
        else hi = mid;
      }
      return offset + lo;
    }
    return offset;
  }

  /** The block a row belongs in: the first whose last row is not before it (the last block when none). */
  private blockFor(row: StoredRow): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const block = this.blocks[mid]!;
      if (compareRows(block[block.length - 1]!, row) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private rebuild(rows: readonly StoredRow[]): void {
    this.blocks = [];
    for (let i = 0; i < rows.length; i += BLOCK) this.blocks.push(rows.slice(i, i + BLOCK));
    this.count = rows.length;
  }
}

function lowerBound(rows: readonly StoredRow[], row: StoredRow): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareRows(rows[mid]!, row) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(rows: readonly StoredRow[], row: StoredRow): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareRows(rows[mid]!, row) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function merge(a: readonly StoredRow[], b: readonly StoredRow[]): StoredRow[] {
  const out: StoredRow[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  for (let k = 0; k < out.length; k++) out[k] = j >= b.length || (i < a.length && compareRows(a[i]!, b[j]!) <= 0) ? a[i++]! : b[j++]!;
  return out;
}
