import { createHmac } from 'node:crypto';
import { percentEncode } from '../shared/encoding';

export { percentEncode };

/** The canonical query string: every parameter but Signature, sorted by name, encoded, joined with `&`. */
export function canonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k] ?? '')}`)
    .join('&');
}

/** `METHOD&%2F&percentEncode(canonical)`. */
export function stringToSign(method: string, params: Record<string, string>): string {
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalQuery(params))}`;
}

/** Base64(HMAC-SHA1(secret + "&", stringToSign)). */
export function signRpc(method: string, params: Record<string, string>, accessKeySecret: string): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign(method, params)).digest('base64');
}
