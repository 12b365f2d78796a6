// The ledger part of the state on disk (`<STATE_FILE>.ledger.json`): a header line, one `[field, key, value]` line per
// entry, and `{"end": <entries>}` last, so that a file cut short or emptied (the 0-byte object an OSS upload leaves
// when it fails) is known for what it is and never taken for a ledger with nothing in it.
import { StateError } from './errors';
import { parseJson } from './migrate';
import type { MonitorState } from './schema';

export const LEDGER_FIELDS = ['reported', 'heldKeys', 'watching', 'failedPaths', 'recoveredPaths'] as const;
export type LedgerPart = Pick<MonitorState, (typeof LEDGER_FIELDS)[number]>;

/** Chunks of about 64 KiB a write. */
const CHUNK = 64 * 1024;

/** The ledger part as lines, in chunks: never one large string. */
export function* ledgerLines(part: LedgerPart, gen: number): Generator<string> {
  let chunk = `${JSON.stringify({ ledger: 2, gen })}\n`;
  let entries = 0;
  for (const f of LEDGER_FIELDS)
    for (const [k, value] of Object.entries(part[f])) {
      chunk += `${JSON.stringify([f, k, value])}\n`;
      entries++;
      if (chunk.length >= CHUNK) {
        yield chunk;
        chunk = '';
      }
    }
  yield `${chunk}${JSON.stringify({ end: entries })}\n`;
}

/** Reads a ledger fed line by line; `end()` gives its entries or throws StateCorrupt for a file that is not whole. */
export class LedgerParser {
  private readonly part: Record<string, Record<string, unknown>> = Object.create(null);
  private n = 0;
  private entries = 0;
  /** 1: written before the count at the end existed (accepted as it is); 2: with the count. */
  private version = 0;
  /** Which write of the ledger this is (0 before generations existed): the head names the one its delta applies to. */
  gen = 0;
  private count: number | null = null;

  constructor(private readonly file: string) {}

  line(line: string): void {
    this.n++;
    if (this.n === 1) {
      const header = ledgerHeader(line);
      if (!header) throw this.corrupt('is empty or does not begin with its header');
      this.version = header.version;
      this.gen = header.gen;
      return;
    }
    if (line === '') return;
    if (this.count !== null) throw this.corrupt(`goes on after its count (line ${this.n})`);
    const entry = parseJson(line, `the ledger part of the state (line ${this.n})`);
    if (this.version === 2 && isCount(entry)) this.count = entry.end;
    else if (Array.isArray(entry) && entry.length === 3 && typeof entry[0] === 'string' && typeof entry[1] === 'string') {
      // Keys carry URLs from the API: a dictionary without a prototype keeps `__proto__` an entry like any other.
      const dict = this.part[entry[0]] ?? Object.create(null);
      this.part[entry[0]] = dict;
      if (!(entry[1] in dict)) this.entries++;
      dict[entry[1]] = entry[2];
    } else throw new StateError('StateCorrupt', `the ledger part of the state has a line that is not an entry (line ${this.n})`);
  }

  end(): Record<string, Record<string, unknown>> {
    if (this.n === 0) throw this.corrupt('is empty');
    if (this.version === 2 && this.count !== this.entries)
      throw this.corrupt(this.count === null ? 'was cut short (no count at its end)' : `counts ${this.count} entries but holds ${this.entries}`);
    for (const f of LEDGER_FIELDS) this.part[f] ??= Object.create(null);
    return this.part;
  }

  private corrupt(what: string): StateError {
    return new StateError('StateCorrupt', `the ledger part of the state (${this.file}) ${what}`);
  }
}

function ledgerHeader(line: string): { version: number; gen: number } | null {
  try {
    const header = JSON.parse(line) as { ledger?: unknown; gen?: unknown } | null;
    const version = header !== null && typeof header === 'object' ? header.ledger : 0;
    if (version !== 1 && version !== 2) return null;
    return { version, gen: Number.isSafeInteger(header!.gen) ? (header!.gen as number) : 0 };
  } catch {
    return null;
  }
}

/** One change to the ledger kept in the head: `[field, key, value]`, or `[field, key, null]` for a key removed. */
export type DeltaEntry = [field: string, key: string, value: unknown];

/** At most this many changes are kept in the head; past them the ledger file is written whole again. */
export const MAX_DELTA = 1000;

const id = (field: string, key: string) => `${field}\u0000${key}`;

/**
 * The changes from `base` (the ledger file plus the delta already in the head, `carried`) to `part`, as the delta the
 * next head carries: every key carried, and every key whose entry is not the same object, with its value now. Null
 * when more than `limit` would be: then the ledger is written whole. Entries are compared by identity: the ledger's
 * dictionaries are copied on change (lib/decide/ledger/cow.ts), so an unchanged entry is the very object it was.
 */
export function ledgerDelta(
  base: LedgerPart,
  part: LedgerPart,
  carried: ReadonlyMap<string, readonly [string, string]>,
  limit = MAX_DELTA,
): DeltaEntry[] | null {
  const keys = new Map(carried);
  for (const f of LEDGER_FIELDS) {
    const was = base[f] as Record<string, unknown>;
    const now = part[f] as Record<string, unknown>;
    if (was === now) continue;
    for (const k of Object.keys(now)) if (!Object.hasOwn(was, k) || was[k] !== now[k]) keys.set(id(f, k), [f, k]);
    for (const k of Object.keys(was)) if (!Object.hasOwn(now, k)) keys.set(id(f, k), [f, k]);
    if (keys.size > limit) return null;
  }
  return [...keys.values()].map(([f, k]) => {
    const now = part[f as (typeof LEDGER_FIELDS)[number]] as Record<string, unknown>;
    return [f, k, Object.hasOwn(now, k) ? now[k] : null];
  });
}

/** The keys a delta carries, as ledgerDelta and applyDelta count them. */
export const carriedOf = (delta: readonly DeltaEntry[]): Map<string, readonly [string, string]> => new Map(delta.map(([f, k]) => [id(f, k), [f, k] as const]));

/** Applies a head's delta to the ledger read from its file, in place; returns the keys it carried. */
export function applyDelta(part: Record<string, Record<string, unknown>>, delta: unknown): Map<string, readonly [string, string]> {
  const carried = new Map<string, readonly [string, string]>();
  if (delta === undefined) return carried;
  if (!Array.isArray(delta)) throw new StateError('StateCorrupt', 'the state file has a ledgerDelta that is not a list');
  for (const entry of delta) {
    if (!Array.isArray(entry) || entry.length !== 3 || !(LEDGER_FIELDS as readonly unknown[]).includes(entry[0]) || typeof entry[1] !== 'string')
      throw new StateError('StateCorrupt', 'the state file has a ledgerDelta entry that is not [field, key, value]');
    const [f, k, v] = entry as DeltaEntry;
    const dict = part[f]!;
    if (v === null) delete dict[k];
    else dict[k] = v;
    carried.set(id(f, k), [f, k]);
  }
  return carried;
}

const isCount = (entry: unknown): entry is { end: number } =>
  entry !== null && typeof entry === 'object' && !Array.isArray(entry) && Number.isInteger((entry as { end?: unknown }).end);
