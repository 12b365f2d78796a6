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
export function* ledgerLines(part: LedgerPart): Generator<string> {
  let chunk = `${JSON.stringify({ ledger: 2 })}\n`;
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
  private count: number | null = null;

  constructor(private readonly file: string) {}

  line(line: string): void {
    this.n++;
    if (this.n === 1) {
      this.version = ledgerVersion(line);
      if (!this.version) throw this.corrupt('is empty or does not begin with its header');
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

function ledgerVersion(line: string): number {
  try {
    const header = JSON.parse(line) as unknown;
    const v = header !== null && typeof header === 'object' && 'ledger' in header ? header.ledger : 0;
    return v === 1 || v === 2 ? v : 0;
  } catch {
    return 0;
  }
}

const isCount = (entry: unknown): entry is { end: number } =>
  entry !== null && typeof entry === 'object' && !Array.isArray(entry) && Number.isInteger((entry as { end?: unknown }).end);
