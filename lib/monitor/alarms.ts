import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * What a run that does not hold the state told on-call (a lock held past any run's lifetime): a small file beside
 * the state, in this instance's /tmp when that folder cannot be written. Best effort: it never throws.
 */
export class Alarms {
  constructor(private readonly stateFile: string) {}

  private files(): string[] {
    const id = createHash('sha1').update(path.resolve(this.stateFile)).digest('hex').slice(0, 12);
    return [`${this.stateFile}.alarms.json`, path.join(tmpdir(), `vod-refresh-monitor-alarms-${id}.json`)];
  }

  /** Whether `key` was told already. */
  async told(key: string): Promise<boolean> {
    for (const file of this.files()) {
      const told = await fs.readFile(file, 'utf8').then(
        (t) => (JSON.parse(t) as Record<string, unknown>)[key] !== undefined,
        () => false,
      );
      if (told) return true;
    }
    return false;
  }

  /** Records `key` as told at `atMs`, keeping only the last few. */
  async tell(key: string, atMs: number): Promise<void> {
    for (const file of this.files()) {
      try {
        const prev = await fs.readFile(file, 'utf8').then(
          (t) => JSON.parse(t) as Record<string, number>,
          () => ({}) as Record<string, number>,
        );
        const kept = Object.entries({ ...prev, [key]: atMs })
          .sort(([, a], [, b]) => b - a)
          .slice(0, 20);
        await fs.writeFile(file, JSON.stringify(Object.fromEntries(kept)));
        return;
      } catch {
        // try the next place
      }
    }
  }
}
