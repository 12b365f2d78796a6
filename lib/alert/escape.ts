/** Longest piece of API text shown in an alert. */
export const MAX_SHOWN_CHARS = 300;

const REPLACEMENTS: Record<string, string> = {
  '[': '［',
  ']': '］',
  '<': '‹',
  '>': '›',
  '*': '∗',
  '_': '＿',
  '`': 'ˋ',
  '|': '¦',
  '~': '∼',
  '#': '＃',
  '@': '＠',
  '\\': '⧵',
};

/**
 * Makes untrusted API text (ObjectPath, Description...) inert in markdown: no links, emphasis, headings, HTML,
 * line breaks or mentions, whether or not the client renders backslash escapes. Look-alike characters keep it
 * readable; `://` is broken so that no client turns it into a link.
 */
export function inert(text: string, max = MAX_SHOWN_CHARS): string {
  let out = '';
  for (const ch of text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ')) {
    out += REPLACEMENTS[ch] ?? ch;
  }
  out = out.replace(/:\/\//g, '∶//').replace(/\s{2,}/g, ' ').trim();
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}
