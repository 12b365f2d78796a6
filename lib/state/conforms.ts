import type * as v from 'valibot';

type Node = v.GenericSchema & { entries?: Record<string, Node>; wrapped?: Node; default?: unknown; options?: readonly unknown[] };

/**
 * Checks `value` against a valibot schema of plain data (object, string, number, boolean, nullable, optional with a
 * default, picklist) by reading the schema itself, in place: no copy, no allocation but an optional's default
 * filled in. For the ledger part of the state, whose tens of thousands of entries a run must not hold twice; the
 * schema stays the one source of truth. Unknown keys are dropped, as valibot's object does. Returns the problem as
 * `path: message`, or null.
 */
export function conforms(schema: v.GenericSchema, value: unknown, path = ''): string | null {
  const s = schema as Node;
  switch (s.type) {
    case 'string':
    case 'number':
    case 'boolean':
      return typeof value === s.type && !(s.type === 'number' && Number.isNaN(value)) ? null : `${path || '(root)'}: must be a ${s.type}`;
    case 'nullable':
      return value === null ? null : conforms(s.wrapped!, value, path);
    case 'picklist':
      return s.options!.includes(value) ? null : `${path || '(root)'}: must be one of ${s.options!.join(', ')}`;
    case 'object':
      return conformsObject(s, value, path);
    default:
      return `${path || '(root)'}: the schema's ${s.type} is not checked in place`;
  }
}

function conformsObject(s: Node, value: unknown, path: string): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${path || '(root)'}: must be an object`;
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!(key in s.entries!)) delete o[key];
  for (const [key, entry] of Object.entries(s.entries!)) {
    const at = path ? `${path}.${key}` : key;
    if (entry.type === 'optional') {
      if (o[key] === undefined) {
        o[key] = typeof entry.default === 'function' ? (entry.default as () => unknown)() : entry.default;
        continue;
      }
      const problem = conforms(entry.wrapped!, o[key], at);
      if (problem) return problem;
      continue;
    }
    if (!(key in o)) return `${at}: is missing`;
    const problem = conforms(entry, o[key], at);
    if (problem) return problem;
  }
  return null;
}
