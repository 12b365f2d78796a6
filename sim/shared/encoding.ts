/** RFC 3986 percent-encoding as Alibaba Cloud signatures use it (space `%20`, `*` `%2A`, `~` kept). */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Why a query string or form body could not be decoded. */
export class FormError extends Error {}

/** Decodes `a=1&b=2` into a null-prototype record; a malformed escape or a repeated name throws FormError. */
export function decodeForm(text: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (!text) return out;
  for (const part of text.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      value = decodeURIComponent(eq < 0 ? '' : part.slice(eq + 1));
    } catch {
      throw new FormError('The request has a malformed percent-encoding.');
    }
    if (key in out) throw new FormError(`The parameter ${key} appears more than once.`);
    out[key] = value;
  }
  return out;
}
