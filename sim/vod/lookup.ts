import type { StoredRow } from './row';

const NONE: readonly StoredRow[] = Object.freeze([]);

/** Rows by a key (TaskId or ObjectPath), holding a lone row bare and several in an array: most keys have one. */
export class RowLookup {
  private readonly map = new Map<string, StoredRow | StoredRow[]>();

  /** The rows under `key`, in the order they were added. */
  get(key: string): readonly StoredRow[] {
    const hit = this.map.get(key);
    return hit === undefined ? NONE : Array.isArray(hit) ? hit : [hit];
  }

  /** The first row added under `key`. */
  first(key: string): StoredRow | undefined {
    const hit = this.map.get(key);
    return Array.isArray(hit) ? hit[0] : hit;
  }

  /** The first row under `key` that passes `test`, without copying. */
  find(key: string, test: (row: StoredRow) => boolean): StoredRow | undefined {
    const hit = this.map.get(key);
    if (hit === undefined) return undefined;
    return Array.isArray(hit) ? hit.find(test) : test(hit) ? hit : undefined;
  }

  /** Files a row under `key`. */
  add(key: string, row: StoredRow): void {
    const hit = this.map.get(key);
    if (hit === undefined) this.map.set(key, row);
    else if (Array.isArray(hit)) hit.push(row);
    else this.map.set(key, [hit, row]);
  }

  /** Takes a row out from under `key`. */
  remove(key: string, row: StoredRow): void {
    const hit = this.map.get(key);
    if (hit === row) this.map.delete(key);
    else if (Array.isArray(hit)) {
      const rest = hit.filter((r) => r !== row);
      if (rest.length === 0) this.map.delete(key);
      else this.map.set(key, rest.length === 1 ? rest[0]! : rest);
    }
  }
}
