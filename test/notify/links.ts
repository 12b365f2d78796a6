/**
 * What a chat client could turn into a link or a ring in a markdown text: explicit links and images `[..](..)`,
 * angle autolinks `<scheme:..>`, HTML `href`/`src`, bare http(s) URLs and `www.` after a space or `*_~(` (GFM's
 * autolinks, and what DingTalk and WeCom link in text); and `@id` mentions (DingTalk) or `<@id>` (WeCom).
 */
export function linksIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\]\(\s*<?([^)\s>]*)/g)) out.push(m[1]!);
  for (const m of text.matchAll(/<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*)>/g)) out.push(m[1]!);
  for (const m of text.matchAll(/<[A-Za-z][^<>]*?\s(?:href|src)\s*=\s*["']?([^"'\s>]+)/gi)) out.push(m[1]!);
  for (const m of text.matchAll(/https?:\/\/[^\s<>"'`]*/gi)) out.push(trimmed(m[0]));
  for (const m of text.matchAll(/(?<=^|[\s*_~(])www\.[^\s<>"'`]*/giu)) out.push(`http://${trimmed(m[0])}`);
  return out;
}

/** An autolink without what GFM leaves out of it: trailing punctuation, and a `)` that closes nothing in it. */
function trimmed(link: string): string {
  let s = link;
  for (;;) {
    const unbalanced = s.endsWith(')') && (s.match(/\)/g) ?? []).length > (s.match(/\(/g) ?? []).length;
    if (!/[?!.,:;*_~]$/.test(s) && !unbalanced) return s;
    s = s.slice(0, -1);
  }
}

/** The host a link leads to, or `?` when no browser could tell (a `javascript:` link, a broken URL): foreign. */
export function hostOf(link: string): string {
  if (!/^https?:\/\//i.test(link)) return '?';
  try {
    return new URL(link).hostname;
  } catch {
    return '?';
  }
}

/** Links in the text that lead anywhere but the given hosts. */
export function foreignLinks(text: string, allowed: readonly string[]): string[] {
  const hosts = new Set(allowed.map((h) => h.replace(/:\d+$/, '').toLowerCase()));
  return linksIn(text).filter((l) => !hosts.has(hostOf(l)));
}

/** Every mention a robot could ring: `@id` (DingTalk: rung when also listed in `at`), `<@id>` (WeCom), `@all`. */
export function mentionsIn(text: string): string[] {
  return [...text.matchAll(/@([A-Za-z0-9_.-]+)/g)].map((m) => m[1]!);
}
