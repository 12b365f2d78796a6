/** Longest piece of API text shown in an alert. */
export const MAX_SHOWN_CHARS = 300;

const REPLACEMENTS: Record<string, string> = {
  '[': '［',
  ']': '］',
  '<': '‹',
  '>': '›',
  '*': '∗',
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
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what this removes
  for (const ch of text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ')) {
    out += REPLACEMENTS[ch] ?? ch;
  }
  // An underscore inside a word (STUCK_AFTER_MINUTES, my_video.mp4) never makes emphasis, and stays copyable; one at
  // a word's edge could, and is replaced.
  out = out.replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '＿');
  out = out
    .replace(/:\/\//g, '∶//')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}
