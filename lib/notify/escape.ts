/** Longest piece of API text shown in an alert. */
export const MAX_SHOWN_CHARS = 300;

/** Longest URL written verbatim; a longer one is shown shortened (and cannot be copied whole). */
export const MAX_URL_CHARS = 1000;

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
 * readable; `://` is broken so that no client turns it into a link, and so is a `www.` starting a word.
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
    .replace(/(?<![\p{L}\p{N}.-])(www)\./giu, '$1․')
    .replace(/\s{2,}/g, ' ')
    .trim();
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?::\d{1,5})?$/;

/** Whether a text is a host name (labels of letters, digits and inner dashes), with an optional port. */
export const isHostName = (text: string) => text.length <= 253 && HOST.test(text);

/**
 * Whether a URL can be written as it is: http(s), a plain host, and a path and query of characters that no markdown
 * (DingTalk's, WeCom's, CommonMark's) reads as syntax. Excluded: `[ ] < > * \` # @ | \ " ' $ { } ^`, spaces and
 * control characters (links, HTML, emphasis, code, headings, mentions, tables, line breaks); an underscore or a
 * tilde that could close emphasis or strike-through (CommonMark and GFM rules: `name_.mp4`, `a~b`); an HTML entity
 * (`&amp;` would show as `&`); a second `://` or a `www.` in its path (a client may link a host hidden there). Such a URL links only to
 * its own host, and a client that links it links it whole.
 */
export function isPlainUrl(url: string): boolean {
  if (url.length > MAX_URL_CHARS) return false;
  const m = /^https?:\/\/([^/?#]+)([/?][A-Za-z0-9\-._~%/?=&+,;:!()]*)?$/.exec(url);
  if (!m || !isHostName(m[1]!) || !browsersReadHost(url, m[1]!)) return false;
  const rest = m[2] ?? '';
  if (rest.includes('://')) return false;
  // GFM links a `www.` that follows a delimiter (`(www.x`, `_www.x`): a link to another host inside the path.
  if (/www\./i.test(rest)) return false;
  // Emphasis and strike-through need a closing `_` or `~`, and may pair one URL's opener with the next URL's closer in
  // the same paragraph: only those that cannot close are kept, an underscore inside a word (my_video) or starting one
  // (/_next/), a tilde starting one (/~user/).
  if (/_(?![A-Za-z0-9])|[A-Za-z0-9]~|~(?![A-Za-z0-9])/.test(rest)) return false;
  return !/&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i.test(rest);
}

/**
 * Whether a browser's URL parser reads the host as it is written. A host ending in a number is read as an IPv4
 * address: `123` leads to 0.0.0.123, `0x10` to 0.0.0.16, and `13800000000` (past 2^32) is no URL at all. Written
 * verbatim, such a URL would link somewhere it does not show, or be linked by one client and not another.
 */
function browsersReadHost(url: string, host: string): boolean {
  try {
    return new URL(url).hostname === host.replace(/:\d+$/, '').toLowerCase();
  } catch {
    return false;
  }
}

/**
 * An ObjectPath as a message shows it: verbatim when it is a plain URL (so it can be copied, pasted into the console
 * or `tasks`, and followed to its own host), otherwise inert text that links and rings nowhere.
 */
export function urlText(url: string): string {
  return isPlainUrl(url) ? url : inert(url) || '(no path)';
}

/** A domain as a message shows it: verbatim when it is a host name, otherwise inert. */
export function domainText(domain: string): string {
  return isHostName(domain) ? domain : inert(domain, 100);
}
