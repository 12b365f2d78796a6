/** How a `.env` changes: each name's new value, whether it was added or replaced, or already so. */
export interface EnvFileUpdate {
  readonly text: string;
  readonly changed: ReadonlyArray<{ readonly name: string; readonly was: 'added' | 'replaced' }>;
}

const line = (name: string) => new RegExp(`^(\\s*(?:export\\s+)?${name}\\s*=)(.*)$`, 'm');
const unquote = (v: string) => v.trim().replace(/^(['"`])(.*)\1$/, '$2');

/**
 * `text` with `values` written in: an existing `NAME=` line (the first, `export` kept) gets the new value, a missing
 * name is appended; every other line, comments and secrets included, stays as it was. Values are plain (no quotes
 * needed: ARNs, bucket names and account ids have no spaces or `#`).
 */
export function updateEnvText(text: string, values: Readonly<Record<string, string>>): EnvFileUpdate {
  let out = text;
  const changed: Array<{ name: string; was: 'added' | 'replaced' }> = [];
  for (const [name, value] of Object.entries(values)) {
    const m = line(name).exec(out);
    if (m) {
      if (unquote(m[2]!.replace(/\s+#.*$/, '')) === value) continue;
      out = out.replace(line(name), (_all, head: string) => `${head}${value}`);
      changed.push({ name, was: 'replaced' });
    } else {
      out = `${out}${out === '' || out.endsWith('\n') ? '' : '\n'}${name}=${value}\n`;
      changed.push({ name, was: 'added' });
    }
  }
  return { text: out, changed };
}
