/**
 * A dictionary copied on its first change: a run that changes nothing hands back the very object it was given, so
 * the store (lib/state/file-store.ts) sees that the ledger part is unchanged and does not rewrite it.
 */
export class CowDict<T> {
  private owned = false;

  constructor(private dict: Readonly<Record<string, T>>) {}

  // Keys carry API text (an ObjectPath): own keys only, so that `constructor` or `__proto__` is a key like any other.
  get(key: string): T | undefined {
    return Object.hasOwn(this.dict, key) ? this.dict[key] : undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: T): void {
    this.own()[key] = value;
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: string): boolean {
    if (this.get(key) === undefined) return false;
    delete this.own()[key];
    return true;
  }

  entries(): Array<[string, T]> {
    return Object.entries(this.dict);
  }

  /** The dictionary as it stands: the one given when nothing changed. */
  value(): Readonly<Record<string, T>> {
    return this.dict;
  }

  private own(): Record<string, T> {
    if (!this.owned) {
      this.dict = Object.assign(Object.create(null), this.dict);
      this.owned = true;
    }
    return this.dict as Record<string, T>;
  }
}
