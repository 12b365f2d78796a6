// The NODE_OPTIONS the deployed function runs with, read from s.yaml, so that the benchmarks and the memory test
// measure the heap limits Function Compute will apply, not Node's defaults.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export function deployedNodeOptions(sYaml = path.resolve(__dirname, '../s.yaml')): string {
  const m = /^\s*NODE_OPTIONS:\s*(.+?)\s*$/m.exec(readFileSync(sYaml, 'utf8'));
  if (!m) throw new Error(`${sYaml} sets no NODE_OPTIONS`);
  return m[1]!.replace(/^['"]|['"]$/g, '');
}
