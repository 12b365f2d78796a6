import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** One cause of failed runs, as the failure handler remembers it. */
export interface Cause {
  readonly kind: 'config' | 'timeout' | 'memory' | 'error';
  readonly text: string;
  readonly firstAtMs: number;
  readonly lastAtMs: number;
  readonly count: number;
  /** When on-call was told; null when the robot could not be reached. */
  readonly announcedAtMs: number | null;
  readonly requestId: string | null;
}

/** The failure handler's memory: causes seen, by a key that ignores numbers (so one cause is told once). */
export interface Memory {
  causes: Record<string, Cause>;
}

/** Where the memory lives: beside the state (the OSS mount), so it survives instances. */
export function memoryFile(stateFile: string): string {
  return path.join(path.dirname(stateFile), 'watchdog.json');
}

const fallback = () => path.join(tmpdir(), 'vod-refresh-monitor-watchdog.json');

/** Reads the memory beside the state, or in /tmp when that cannot be read. Never throws. */
export async function loadMemory(stateFile: string): Promise<Memory> {
  for (const file of [memoryFile(stateFile), fallback()]) {
    try {
      const raw = JSON.parse(await fs.readFile(file, 'utf8')) as Memory;
      if (raw && typeof raw.causes === 'object' && raw.causes !== null) return raw;
    } catch {
      // missing or unreadable: try the next place, else start empty
    }
  }
  return { causes: {} };
}

/** Writes the memory beside the state; falls back to /tmp (per instance) when the state folder cannot be written. */
export async function saveMemory(stateFile: string, memory: Memory): Promise<string> {
  const body = JSON.stringify(memory);
  for (const file of [memoryFile(stateFile), fallback()]) {
    try {
      await fs.mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await fs.writeFile(tmp, body);
      await fs.rename(tmp, file);
      return file;
    } catch {
      // try the next place
    }
  }
  return 'nowhere';
}

/** The newest cause the failure handler recorded, for the monitor's "was blind" notice; null when none. */
export async function lastFailureCause(stateFile: string): Promise<string | null> {
  const causes = Object.values((await loadMemory(stateFile)).causes);
  if (causes.length === 0) return null;
  return causes.sort((a, b) => b.lastAtMs - a.lastAtMs)[0]!.text;
}
