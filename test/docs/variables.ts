// The variable tables of the README and of docs/configuration.md, read against the configuration's schema.
import { variableDocs } from '../../lib/config';
import { tableRows } from './markdown';

/** A variable table: variable name to its default cell. */
export function variableTable(text: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const [name, dflt] of tableRows(text)) {
    const m = /^`([A-Z_]+)`$/.exec(name ?? '');
    if (m && dflt !== undefined) rows.set(m[1]!, dflt);
  }
  return rows;
}

/** Why a default cell does not give the schema's default, or null when it does. */
export function defaultProblem(name: string, cell: string): string | null {
  const v = variableDocs().find((d) => d.name === name);
  if (!v) return `${name}: not a variable of the configuration`;
  // A number is written as code; any other default is there in words (a cell may say more: "`300` at 5 minutes").
  if (/^\d/.test(v.default) && !cell.includes(`\`${v.default}\``)) return `${name}: the default is \`${v.default}\`, the table says ${cell}`;
  if (v.default !== '' && !cell.replace(/`/g, '').includes(v.default.replace(/`/g, ''))) return `${name}: the default is ${v.default}, the table says ${cell}`;
  return null;
}
