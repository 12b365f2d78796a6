import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ledgerFile } from '../../lib/state/file-store';
import type { MonitorState } from '../../lib/state/schema';

/** The state a monitor saved, whole: its head and its ledger part (lib/state/file-store.ts) in one object. */
export function readState(stateFile: string): MonitorState {
  const head = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, unknown>;
  const part: Record<string, Record<string, unknown>> = head.ledgerFile
    ? { reported: {}, heldKeys: {}, watching: {}, failedPaths: {}, recoveredPaths: {} }
    : {};
  if (head.ledgerFile && existsSync(ledgerFile(stateFile)))
    for (const line of readFileSync(ledgerFile(stateFile), 'utf8').split('\n').slice(1)) {
      const entry = line ? (JSON.parse(line) as unknown) : null;
      if (!Array.isArray(entry)) continue; // a blank line, or the count at the end
      const [field, key, value] = entry as [string, string, unknown];
      const dict = part[field] ?? {};
      part[field] = dict;
      dict[key] = value;
    }
  const { ledgerFile: _flag, ...rest } = { ...head, ...part };
  return rest as unknown as MonitorState;
}

/** Writes a whole state in one file, as a test sets one up (the store reads it, and splits it on its next save). */
export function writeState(stateFile: string, state: unknown): void {
  writeFileSync(stateFile, JSON.stringify(state));
}

/** The text of both state files, for tests that look for a secret in everything the monitor keeps. */
export function stateText(stateFile: string): string {
  return [stateFile, ledgerFile(stateFile)]
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
}
