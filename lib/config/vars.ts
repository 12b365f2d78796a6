import * as v from 'valibot';

/** What the README and `doctor` say about a variable: its default and the values it accepts. */
export interface VarDoc {
  readonly default: string;
  readonly accepts: string;
}

type Refuse = (message: string) => never;

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * A variable read by `parse`, which calls `refuse` with what is accepted when the text will not do; `doc` is kept on
 * the schema (valibot metadata), so the variable table is derived from the one schema.
 */
export function variable<T>(doc: VarDoc, parse: (value: string | undefined, refuse: Refuse) => T) {
  return v.pipe(
    v.unknown(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      class Refused extends Error {}
      const value = dataset.value;
      if (value !== undefined && typeof value !== 'string') {
        addIssue({ message: 'must be text' });
        return NEVER;
      }
      try {
        return parse(value, (message) => {
          throw new Refused(message);
        });
      } catch (err) {
        if (!(err instanceof Refused)) throw err;
        addIssue({ message: err.message });
        return NEVER;
      }
    }),
    v.metadata({ doc }),
  );
}

/** The documentation kept on a variable's schema. */
export function docOf(schema: v.GenericSchema): VarDoc | null {
  const pipe = (schema as { pipe?: Array<{ type?: string; metadata?: { doc?: VarDoc } }> }).pipe ?? [];
  return pipe.find((p) => p.type === 'metadata')?.metadata?.doc ?? null;
}

const empty = (value: string | undefined): value is undefined => value === undefined || value.trim() === '';

/** A comma-separated list whose every item must pass `valid`; `refuseItem` words the error for the first that fails. */
export const listOf = (doc: VarDoc, valid: (item: string) => boolean, refuseItem: (bad: string) => string, normalize: (item: string) => string = (x) => x) =>
  variable(doc, (value, refuse) => {
    const items = list(value).map(normalize);
    const bad = items.find((item) => !valid(item));
    return bad === undefined ? items : refuse(refuseItem(bad));
  });

/** A whole number in [min, max]. */
export const int = (dflt: number, min: number, max: number, accepts = `a whole number from ${min} to ${max}`) =>
  variable({ default: String(dflt), accepts }, (value, refuse) => {
    if (empty(value)) return dflt;
    const n = Number(value);
    if (!/^\s*-?\d+\s*$/.test(value) || n < min || n > max)
      return refuse(`${JSON.stringify(value)} is not accepted; use a whole number from ${min} to ${max} (default ${dflt})`);
    return n;
  });

/** A whole number in [min, max], or null when unset: its default follows another variable (see cadence.ts). */
export const derivedInt = (dflt: string, min: number, max: number, accepts: string) =>
  variable({ default: dflt, accepts }, (value, refuse): number | null => {
    if (empty(value)) return null;
    const n = Number(value);
    if (!/^\s*-?\d+\s*$/.test(value) || n < min || n > max)
      return refuse(`${JSON.stringify(value)} is not accepted; use a whole number from ${min} to ${max} (default ${dflt})`);
    return n;
  });

/** A number (decimals allowed) in [min, max]. */
export const decimal = (dflt: number, min: number, max: number) =>
  variable({ default: String(dflt), accepts: `a number from ${min} to ${max}` }, (value, refuse) => {
    if (empty(value)) return dflt;
    const n = Number(value);
    if (!/^\s*\d+(\.\d+)?\s*$/.test(value) || n < min || n > max)
      return refuse(`${JSON.stringify(value)} is not accepted; use a number from ${min} to ${max} (default ${dflt})`);
    return n;
  });

/** One of a few words. */
export const oneOf = <T extends string>(choices: readonly T[], dflt: T) =>
  variable({ default: dflt, accepts: choices.join(', ') }, (value, refuse): T => {
    if (empty(value)) return dflt;
    return (choices as readonly string[]).includes(value.trim())
      ? (value.trim() as T)
      : refuse(`use ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)} (default ${dflt})`);
  });

/** An https URL (http on loopback only), or null when unset; `check` may refuse more. */
export const httpUrl = (doc: VarDoc, what: string, check?: (u: URL, refuse: Refuse) => void) =>
  variable(doc, (value, refuse): string | null => {
    if (empty(value)) return null;
    let u: URL;
    try {
      u = new URL(value.trim());
    } catch {
      return refuse(`is not a URL; use ${what}`);
    }
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))) {
      return refuse(`must be https (http only on loopback); use ${what}`);
    }
    check?.(u, refuse);
    return value.trim();
  });

/** Free text, bounded. */
export const text = (dflt: string, max: number, accepts = `text, at most ${max} characters`) =>
  variable({ default: dflt, accepts }, (value) => value?.trim().slice(0, max) || dflt);

/**
 * A JSON object of NAME: text, for secrets that must reach the function without a line each in s.yaml. Refusals name
 * what is wrong, never the value (it holds webhooks and signing secrets).
 */
export const secretMap = (doc: VarDoc) =>
  variable(doc, (value, refuse): Readonly<Record<string, string>> => {
    if (empty(value)) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return refuse('is not JSON; use a JSON object of NAME: "value", e.g. {"TEAM_A_WEBHOOK":"https://..."} (in .env, in single quotes)');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return refuse('must be a JSON object of NAME: "value"');
    const entries = Object.entries(parsed as Record<string, unknown>);
    const badName = entries.find(([k]) => !/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(k));
    if (badName) return refuse(`has a name that is not one (${JSON.stringify(badName[0].slice(0, 40))}); use letters, digits and _`);
    const notText = entries.find(([, v]) => typeof v !== 'string');
    if (notText) return refuse(`${notText[0]}: must be text (a JSON string)`);
    return Object.freeze(Object.fromEntries(entries)) as Record<string, string>;
  });

export { list };
