/**
 * A value that stands for a secret without being one: the README's `access_token=...`, `key=...`, `******`,
 * `<token>`, `YOUR_TOKEN`, `${TOKEN}`. It is never learnt as a secret, and never masked: an error message that
 * quotes the form to use must still show it.
 */
const PLACEHOLDER = /^(?:\.{2,}|…+|\*+|x{3,}|X{3,}|<[^<>]*>|\{[^{}]*\}|\$\{?\w+\}?|YOUR_\w*|your[-_]\w+)$/;

/** Whether a value is a placeholder (see PLACEHOLDER), not a secret. */
export const isPlaceholder = (value: string) => PLACEHOLDER.test(value);

const SECRET_QUERY_KEYS = /([?&](?:Signature|SecurityToken|AccessKeyId|access_token|auth_key|sign|key|timestamp)=)([^&#\s"',]*)/gi;

/** Masks the values of signing and token query parameters in any URL found in `text`, but not placeholders. */
export function redactUrl(text: string): string {
  return text.replace(SECRET_QUERY_KEYS, (all, key: string, value: string) => (value === '' || isPlaceholder(value) ? all : `${key}***`));
}

const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Every form a secret can take on its way into a log line: raw, percent-encoded once and twice (both
 * encodeURIComponent and RFC 3986, as the RPC string-to-sign encodes twice), JSON-escaped, and base64.
 */
export function encodings(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(encodeURIComponent(secret)),
    rfc3986(secret),
    rfc3986(rfc3986(secret)),
    JSON.stringify(secret).slice(1, -1),
    Buffer.from(secret, 'utf8').toString('base64'),
  ];
}

/** Shorter values are no secrets: a password of three characters protects nothing, and masking it would mangle text. */
const MIN_SECRET_CHARS = 4;

/**
 * From this length a value is masked wherever it appears. A shorter one (a test token of `0000`) is masked only where
 * it stands as a whole word: inside a longer run of letters and digits it is most likely something else — errcode
 * 300001 holds `0000` — and masking it there would turn error codes into nonsense. Real secrets (AccessKey secrets,
 * STS tokens, robot tokens and signing secrets) are far longer.
 */
const ANYWHERE_CHARS = 8;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A redactor, which can learn secrets found later (the alerting file's receivers). */
export type Redactor = ((text: string) => string) & { add(secrets: Iterable<string | undefined | null>): void };

/**
 * Returns a redactor that replaces every encoding of the given secrets, and secret-bearing query values; a text that
 * holds none of them comes out unchanged (placeholders and error codes included).
 */
export function makeRedactor(secrets: Iterable<string | undefined | null>): Redactor {
  let long: string[] = [];
  let short: RegExp | null = null;
  let shortVariants: string[] = [];
  const add = (more: Iterable<string | undefined | null>) => {
    const list = [...more].filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_CHARS && !isPlaceholder(s));
    const all = [...new Set([...long, ...shortVariants, ...list.flatMap(encodings)])].filter((v) => v.length >= MIN_SECRET_CHARS);
    long = all.filter((v) => v.length >= ANYWHERE_CHARS).sort((a, b) => b.length - a.length);
    shortVariants = all.filter((v) => v.length < ANYWHERE_CHARS).sort((a, b) => b.length - a.length);
    short = shortVariants.length ? new RegExp(`(?<![A-Za-z0-9])(?:${shortVariants.map(escapeRegExp).join('|')})(?![A-Za-z0-9])`, 'g') : null;
  };
  add(secrets);
  const redact = (text: string) => {
    let out = redactUrl(text);
    for (const s of long) if (out.includes(s)) out = out.split(s).join('***');
    return short ? out.replace(short, '***') : out;
  };
  return Object.assign(redact, { add });
}

/** The robots' own paths: a URL of one of them without a query holds no secret (and names the form to use). */
export const ROBOT_PATHS: ReadonlySet<string> = new Set(['/robot/send', '/cgi-bin/webhook/send']);

/**
 * Each URL that may hold a secret, and the token-like query values in it (`access_token`, `key`, `sign`), for a
 * redactor. A robot's URL whose token is missing or a placeholder is not learnt: it is the very form an error message
 * tells the user to use (`https://oapi.dingtalk.com/robot/send?access_token=...`).
 */
export function urlSecrets(urls: Iterable<string | undefined>): string[] {
  const out: string[] = [];
  for (const raw of urls) {
    if (!raw) continue;
    try {
      const u = new URL(raw);
      const values = ['access_token', 'key', 'sign'].map((k) => u.searchParams.get(k)).filter((v): v is string => Boolean(v) && !isPlaceholder(v!));
      const bare = [...u.searchParams.values()].every((v) => v === '' || isPlaceholder(v));
      if (!(ROBOT_PATHS.has(u.pathname) && bare)) out.push(raw);
      out.push(...values);
    } catch {
      out.push(raw);
    }
  }
  return out;
}

/** ALERTING_SECRETS' values (each, and its URL's token), or the whole text when it is not the JSON object it should be. */
function alertingSecretValues(raw: string | undefined): string[] {
  if (!raw?.trim()) return [];
  try {
    const values = Object.values(JSON.parse(raw) as Record<string, unknown>).filter((v): v is string => typeof v === 'string');
    return [raw, ...values, ...urlSecrets(values)];
  } catch {
    return [raw];
  }
}

/** The secrets an environment carries: AccessKey secret, STS token, DingTalk signing secret, every webhook and its token. */
export function envSecrets(env: Record<string, string | undefined>): string[] {
  return [
    env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    env.ALIBABA_CLOUD_SECURITY_TOKEN,
    env.DINGTALK_SECRET,
    ...urlSecrets([env.DINGTALK_WEBHOOK, env.WECOM_WEBHOOK, env.ALERT_WEBHOOK_URL]),
    ...alertingSecretValues(env.ALERTING_SECRETS),
  ].filter((x): x is string => typeof x === 'string');
}
