import { createHash, createHmac } from 'node:crypto';
import type { Credentials } from '../vod/types';
import { CloudError, classifyCloudError } from './errors';

/** What `setup` needs to know of a bucket. */
export interface BucketInfo {
  readonly name: string;
  /** `oss-cn-shanghai` style. */
  readonly location: string;
  readonly storageClass: string;
  /** `private`, `public-read` or `public-read-write`. */
  readonly acl: string;
}

/** The OSS calls `setup` makes: the bucket's facts, and creating it private and Standard. */
export interface BucketApi {
  /** The bucket's facts, or null when no bucket has that name (NoSuchBucket). */
  getBucketInfo(bucket: string): Promise<BucketInfo | null>;
  putBucket(bucket: string): Promise<void>;
}

const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text).digest();

/**
 * The V4 signature (OSS4-HMAC-SHA256) of a bucket request: canonical request, string to sign over its SHA-256, and a
 * key derived from the secret through the date, region, `oss` and `aliyun_v4_request`. Headers signed: x-oss-* and
 * content-type.
 */
export function signOssV4(
  req: { method: string; bucket: string; query: Record<string, string>; headers: Record<string, string> },
  secret: string,
  region: string,
): string {
  const date = req.headers['x-oss-date']!;
  const day = date.slice(0, 8);
  const query = Object.keys(req.query)
    .map((k) => [enc(k), req.query[k] ? enc(req.query[k]!) : ''] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => (v ? `${k}=${v}` : k))
    .join('&');
  const signed = Object.keys(req.headers)
    .map((h) => h.toLowerCase())
    .filter((h) => h.startsWith('x-oss-') || h === 'content-type' || h === 'content-md5')
    .sort();
  const headers = signed.map((h) => `${h}:${req.headers[h]!.trim()}\n`).join('');
  const canonical = [req.method, `/${req.bucket}/`, query, headers, '', 'UNSIGNED-PAYLOAD'].join('\n');
  const scope = `${day}/${region}/oss/aliyun_v4_request`;
  const toSign = ['OSS4-HMAC-SHA256', date, scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`aliyun_v4${secret}`, day), region), 'oss'), 'aliyun_v4_request');
  return hmac(key, toSign).toString('hex');
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? '';

/** OSS over fetch with V4 signatures; `endpoint` on loopback is addressed path-style (the simulator), else by bucket host. */
export class OssBucketApi implements BucketApi {
  constructor(
    private readonly credentials: Credentials,
    private readonly region: string,
    private readonly endpoint = `https://oss-${region}.aliyuncs.com`,
    private readonly timeoutMs = 10_000,
  ) {}

  private async request(action: string, method: string, bucket: string, query: Record<string, string>, body?: string, extra: Record<string, string> = {}) {
    const now = new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z');
    const headers: Record<string, string> = { 'x-oss-date': now, 'x-oss-content-sha256': 'UNSIGNED-PAYLOAD', ...extra };
    if (this.credentials.securityToken) headers['x-oss-security-token'] = this.credentials.securityToken;
    const signature = signOssV4({ method, bucket, query, headers }, this.credentials.accessKeySecret, this.region);
    headers.authorization = `OSS4-HMAC-SHA256 Credential=${this.credentials.accessKeyId}/${now.slice(0, 8)}/${this.region}/oss/aliyun_v4_request,Signature=${signature}`;
    const u = new URL(this.endpoint);
    const loopback = /^(127\.0\.0\.1|localhost|\[::1\])$/.test(u.hostname);
    const base = loopback ? `${u.protocol}//${u.host}/${bucket}/` : `${u.protocol}//${bucket}.${u.host}/`;
    const qs = Object.entries(query)
      .map(([k, v]) => (v ? `${enc(k)}=${enc(v)}` : enc(k)))
      .join('&');
    try {
      const res = await fetch(`${base}${qs ? `?${qs}` : ''}`, { method, headers, body: body ?? null, signal: AbortSignal.timeout(this.timeoutMs) });
      return { status: res.status, text: await res.text() };
    } catch (err) {
      throw classifyCloudError('OSS', action, err, this.timeoutMs);
    }
  }

  private refused(action: string, r: { status: number; text: string }): CloudError {
    const code = tag(r.text, 'Code') || `HTTP${r.status}`;
    // OSS error bodies may echo the string to sign: keep only the code and a short message without it.
    const message = /StringToSign|Signature|AccessKeyId/i.test(r.text) ? code : tag(r.text, 'Message').slice(0, 200) || code;
    return new CloudError('OSS', action, code, message, tag(r.text, 'RequestId') || undefined, r.status);
  }

  async getBucketInfo(bucket: string): Promise<BucketInfo | null> {
    const r = await this.request('GetBucketInfo', 'GET', bucket, { bucketInfo: '' });
    if (r.status === 404 && tag(r.text, 'Code') === 'NoSuchBucket') return null;
    if (r.status !== 200) throw this.refused('GetBucketInfo', r);
    return { name: tag(r.text, 'Name'), location: tag(r.text, 'Location'), storageClass: tag(r.text, 'StorageClass'), acl: tag(r.text, 'Grant') };
  }

  async putBucket(bucket: string): Promise<void> {
    const body = '<?xml version="1.0" encoding="UTF-8"?>\n<CreateBucketConfiguration><StorageClass>Standard</StorageClass></CreateBucketConfiguration>';
    const r = await this.request('PutBucket', 'PUT', bucket, {}, body, { 'x-oss-acl': 'private', 'content-type': 'application/xml' });
    if (r.status !== 200) throw this.refused('PutBucket', r);
  }
}
