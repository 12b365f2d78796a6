const SECRET_QUERY_KEYS = /([?&](?:Signature|SecurityToken|AccessKeyId|access_token|sign|key|timestamp)=)[^&#\s"']*/gi;

/** Masks the values of signing and token query parameters in any URL found in `text`. */
export function redactUrl(text: string): string {
  return text.replace(SECRET_QUERY_KEYS, '$1***');
}

/** Returns a redactor that replaces every occurrence of the given secrets, and secret-bearing query values. */
export function makeRedactor(secrets: Iterable<string | undefined | null>): (text: string) => string {
  const list = [...new Set([...secrets].filter((s): s is string => typeof s === 'string' && s.length >= 4))];
  list.sort((a, b) => b.length - a.length);
  const variants = list.flatMap((s) => [s, encodeURIComponent(s)]);
  return (text: string) => {
    let out = redactUrl(text);
    for (const s of variants) out = out.split(s).join('***');
    return out;
  };
}

/** Each URL, and the token-like query values in it (`access_token`, `key`, `sign`), for a redactor. */
export function urlSecrets(urls: Iterable<string | undefined>): string[] {
  const out: string[] = [];
  for (const raw of urls) {
    if (!raw) continue;
    out.push(raw);
    try {
      const u = new URL(raw);
      for (const k of ['access_token', 'key', 'sign']) {
        const v = u.searchParams.get(k);
        if (v) out.push(v);
      }
    } catch {
      // not a URL: the raw value is already listed
    }
  }
  return out;
}

/** The secrets an environment carries: AccessKey secret, STS token, DingTalk signing secret, every webhook and its token. */
export function envSecrets(env: Record<string, string | undefined>): string[] {
  return [
    env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    env.ALIBABA_CLOUD_SECURITY_TOKEN,
    env.DINGTALK_SECRET,
    ...urlSecrets([env.DINGTALK_WEBHOOK, env.WECOM_WEBHOOK, env.ALERT_WEBHOOK_URL]),
  ].filter((x): x is string => typeof x === 'string');
}
