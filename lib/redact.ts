const SECRET_QUERY_KEYS = /([?&](?:Signature|SecurityToken|AccessKeyId|access_token|sign|key|timestamp)=)[^&#\s"',]*/gi;

/** Masks the values of signing and token query parameters in any URL found in `text`. */
export function redactUrl(text: string): string {
  return text.replace(SECRET_QUERY_KEYS, '$1***');
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

/** A redactor, which can learn secrets found later (the alerting file's receivers). */
export type Redactor = ((text: string) => string) & { add(secrets: Iterable<string | undefined | null>): void };

/** Returns a redactor that replaces every encoding of the given secrets, and secret-bearing query values. */
export function makeRedactor(secrets: Iterable<string | undefined | null>): Redactor {
  let variants: string[] = [];
  const add = (more: Iterable<string | undefined | null>) => {
    const list = [...more].filter((s): s is string => typeof s === 'string' && s.length >= 4);
    variants = [...new Set([...variants, ...list.flatMap(encodings)])].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
  };
  add(secrets);
  const redact = (text: string) => {
    let out = redactUrl(text);
    for (const s of variants) if (out.includes(s)) out = out.split(s).join('***');
    return out;
  };
  return Object.assign(redact, { add });
}

/** The robots' own paths: a URL of one of them without a query holds no secret (and names the form to use). */
export const ROBOT_PATHS: ReadonlySet<string> = new Set(['/robot/send', '/cgi-bin/webhook/send']);

/**
 * Each URL that may hold a secret, and the token-like query values in it (`access_token`, `key`, `sign`), for a
 * redactor. A robot's bare URL (no query) is not learnt: it is the very form an error message tells the user to use.
 */
export function urlSecrets(urls: Iterable<string | undefined>): string[] {
  const out: string[] = [];
  for (const raw of urls) {
    if (!raw) continue;
    try {
      const u = new URL(raw);
      if (!(ROBOT_PATHS.has(u.pathname) && u.search === '')) out.push(raw);
      for (const k of ['access_token', 'key', 'sign']) {
        const v = u.searchParams.get(k);
        if (v) out.push(v);
      }
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
