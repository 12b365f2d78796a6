// What the deployed monitor runs with, read from s.yaml, so that the benchmarks and the memory test measure against
// the heap flags and the memory Function Compute will apply, not Node's defaults or a number copied by hand.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const S_YAML = path.resolve(__dirname, '../s.yaml');

/** NODE_OPTIONS of the functions (one environment, shared by both). */
export function deployedNodeOptions(sYaml = S_YAML): string {
  const m = /^\s*NODE_OPTIONS:\s*(.+?)\s*$/m.exec(readFileSync(sYaml, 'utf8'));
  if (!m) throw new Error(`${sYaml} sets no NODE_OPTIONS`);
  return m[1]!.replace(/^['"]|['"]$/g, '');
}

/** The monitor's memorySize (MB): Function Compute stops a run that goes past it. */
export function monitorMemoryMb(sYaml = S_YAML): number {
  const text = readFileSync(sYaml, 'utf8');
  const at = text.indexOf('\n  vod-refresh-monitor:\n');
  const m = at < 0 ? null : /\n\s+memorySize:\s*(\d+)/.exec(text.slice(at));
  if (!m) throw new Error(`${sYaml} gives the vod-refresh-monitor resource no memorySize`);
  return Number(m[1]);
}

/** The peak RSS a monitor run must stay under: three quarters of its memory, the rest kept for what we do not measure. */
export const rssLimitMb = (sYaml = S_YAML) => Math.floor(monitorMemoryMb(sYaml) * 0.75);
