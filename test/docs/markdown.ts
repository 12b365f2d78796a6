// Reading the project's markdown the way a reader (and GitHub) does: sections, tables, code blocks, heading anchors.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The repository's root. */
export const ROOT = path.resolve(__dirname, '../..');

/** A file of the repository, as text. */
export const doc = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

/** The text with every fenced code block blanked (its lines kept, so line numbers stay). */
export function withoutCode(text: string): string {
  let fenced = false;
  return text
    .split('\n')
    .map((line) => {
      if (/^\s*```/.test(line)) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : line;
    })
    .join('\n');
}

/** The section under the heading whose text starts with `title` (any level), up to the next heading of its level or higher. */
export function section(text: string, title: string): string {
  const lines = text.split('\n');
  const plain = withoutCode(text).split('\n');
  const start = plain.findIndex((l) => {
    const m = /^(#{1,6}) (.*)$/.exec(l);
    return m !== null && m[2]!.startsWith(title);
  });
  if (start < 0) throw new Error(`no heading "${title}"`);
  const level = /^(#+)/.exec(plain[start]!)![1]!.length;
  let end = plain.findIndex((l, i) => i > start && /^(#{1,6}) /.test(l) && /^(#+)/.exec(l)![1]!.length <= level);
  if (end < 0) end = lines.length;
  return lines.slice(start, end).join('\n');
}

/** The rows of the markdown tables in `text`, header and separator left out, each as its cells. */
export function tableRows(text: string): string[][] {
  const rows: string[][] = [];
  let header = true;
  for (const line of withoutCode(text).split('\n')) {
    if (!line.startsWith('|')) {
      header = true;
      continue;
    }
    if (header || /^\|\s*-{3}/.test(line)) {
      header = false;
      continue;
    }
    rows.push(
      line
        .slice(1, line.endsWith('|') ? -1 : undefined)
        .split(' | ')
        .map((c) => c.trim()),
    );
  }
  return rows;
}

/** The `code` spans of a cell, in order. */
export const codesOf = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

/** The fenced code blocks of `text` in the given language, as their lines. */
export function codeBlocks(text: string, lang: string): string[][] {
  return [...text.matchAll(/^```(\S*)\n([\s\S]*?)^```/gm)].filter((m) => m[1] === lang).map((m) => m[2]!.replace(/\n$/, '').split('\n'));
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped (letters, digits, `-`, `_` kept), spaces as `-`. */
export function slugOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor of a markdown text, duplicates numbered as GitHub numbers them (`-1`, `-2`). */
export function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of withoutCode(text).split('\n')) {
    const m = /^#{1,6} (.*)$/.exec(line);
    if (!m) continue;
    const slug = slugOf(m[1]!);
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}
