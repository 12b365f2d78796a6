// OSS bucket calls on loopback (path-style: /<bucket>/?bucketInfo), checking the V4 signature (OSS4-HMAC-SHA256)
// as OSS documents it, and answering GetBucketInfo and PutBucket with OSS's XML bodies and error codes. Independent
// of lib/ on purpose.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLoopback, readBody } from '../http';
import { percentEncode } from '../shared/encoding';
import { allowed, type SimIdentity } from '../shared/rpc-gateway';
import { safeEqual } from '../shared/safe-equal';

/** A bucket the simulator holds. */
export interface SimBucket {
  readonly owner: string;
  readonly location: string;
  readonly acl: string;
  readonly storageClass: string;
}

/** A running OSS simulator; `buckets` may be seeded (another account's bucket, a public one). */
export interface OssSim {
  readonly url: string;
  readonly buckets: Map<string, SimBucket>;
  readonly calls: Array<{ action: string; caller: string; code: string; bucket: string }>;
  close(): Promise<void>;
}

class OssError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const REGION = 'cn-shanghai';
const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text).digest();

function expectedSignature(req: IncomingMessage, bucket: string, query: URLSearchParams, secret: string, day: string, date: string): string {
  const q = [...query.entries()]
    .map(([k, v]) => [percentEncode(k), v ? percentEncode(v) : ''] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => (v ? `${k}=${v}` : k))
    .join('&');
  const names = Object.keys(req.headers)
    .filter((h) => h.startsWith('x-oss-') || h === 'content-type' || h === 'content-md5')
    .sort();
  const headers = names.map((h) => `${h}:${String(req.headers[h]).trim()}\n`).join('');
  const canonical = [req.method, `/${bucket}/`, q, headers, '', 'UNSIGNED-PAYLOAD'].join('\n');
  const toSign = ['OSS4-HMAC-SHA256', date, `${day}/${REGION}/oss/aliyun_v4_request`, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`aliyun_v4${secret}`, day), REGION), 'oss'), 'aliyun_v4_request');
  return hmac(key, toSign).toString('hex');
}

/** The caller of a request with a valid V4 Authorization header. */
function authenticate(req: IncomingMessage, bucket: string, query: URLSearchParams, identities: readonly SimIdentity[]): SimIdentity {
  const auth = String(req.headers.authorization ?? '');
  const m =
    /^OSS4-HMAC-SHA256 Credential=([^/,]+)\/(\d{8})\/([a-z0-9-]+)\/oss\/aliyun_v4_request(?:,\s*AdditionalHeaders=[^,]*)?,\s*Signature=([0-9a-f]{64})$/.exec(
      auth,
    );
  if (!m) throw new OssError('AccessDenied', 403, 'The authorization header is not a V4 signature.');
  const [, keyId, day, region, signature] = m as unknown as [string, string, string, string, string];
  const date = String(req.headers['x-oss-date'] ?? '');
  const at = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  if (!at || date.slice(0, 8) !== day) throw new OssError('AccessDenied', 403, 'x-oss-date is missing or does not match the credential date.');
  if (Math.abs(Date.parse(`${at[1]}-${at[2]}-${at[3]}T${at[4]}:${at[5]}:${at[6]}Z`) - Date.now()) > 15 * 60_000)
    throw new OssError('RequestTimeTooSkewed', 403, 'The difference between the request time and the current time is too large.');
  if (req.headers['x-oss-content-sha256'] !== 'UNSIGNED-PAYLOAD') throw new OssError('InvalidArgument', 400, 'x-oss-content-sha256 must be UNSIGNED-PAYLOAD.');
  if (region !== REGION) throw new OssError('InvalidArgument', 400, `The credential region ${region} does not match the endpoint's region.`);
  const who = identities.find((i) => i.accessKeyId === keyId);
  if (!who) throw new OssError('InvalidAccessKeyId', 403, 'The OSS Access Key Id you provided does not exist in our records.');
  if (!safeEqual(expectedSignature(req, bucket, query, who.accessKeySecret, day, date), signature))
    throw new OssError('SignatureDoesNotMatch', 403, 'The request signature we calculated does not match the signature you provided.');
  if (who.securityToken !== undefined && !safeEqual(who.securityToken, String(req.headers['x-oss-security-token'] ?? '')))
    throw new OssError('InvalidSecurityToken', 403, 'The security token you provided is invalid.');
  return who;
}

function xml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/xml', 'x-oss-request-id': randomUUID().replace(/-/g, '').toUpperCase().slice(0, 24) });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
}

const bucketInfo = (name: string, b: SimBucket) =>
  `<BucketInfo><Bucket><Name>${name}</Name><Location>${b.location}</Location><StorageClass>${b.storageClass}</StorageClass>` +
  `<ExtranetEndpoint>${b.location}.aliyuncs.com</ExtranetEndpoint><IntranetEndpoint>${b.location}-internal.aliyuncs.com</IntranetEndpoint>` +
  `<Owner><ID>${b.owner}</ID></Owner><AccessControlList><Grant>${b.acl}</Grant></AccessControlList></Bucket></BucketInfo>`;

async function answer(req: IncomingMessage, res: ServerResponse, sim: OssSim, identities: readonly SimIdentity[]): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const bucket = decodeURIComponent(url.pathname.split('/')[1] ?? '');
  const who = authenticate(req, bucket, url.searchParams, identities);
  const action = req.method === 'GET' && url.searchParams.has('bucketInfo') ? 'GetBucketInfo' : req.method === 'PUT' && url.search === '' ? 'PutBucket' : null;
  if (!action || url.pathname !== `/${bucket}/`)
    throw new OssError('NotImplemented', 501, 'A header or query you provided implies functionality that is not implemented.');
  const record = (code: string) => sim.calls.push({ action: `oss:${action}`, caller: who.userName, code, bucket });
  try {
    if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket)) throw new OssError('InvalidBucketName', 400, 'The specified bucket is not valid.');
    const b = sim.buckets.get(bucket);
    if (b && b.owner !== who.accountId) throw new OssError('AccessDenied', 403, 'The bucket you access does not belong to you.');
    if (!allowed(who, `oss:${action}`)) throw new OssError('AccessDenied', 403, 'You have no right to access this bucket.');
    if (action === 'GetBucketInfo') {
      if (!b) throw new OssError('NoSuchBucket', 404, 'The specified bucket does not exist.');
      record('OK');
      return xml(res, 200, bucketInfo(bucket, b));
    }
    if (b) throw new OssError('BucketAlreadyExists', 409, 'The requested bucket name is not available.');
    const acl = String(req.headers['x-oss-acl'] ?? 'private');
    if (!['private', 'public-read', 'public-read-write'].includes(acl)) throw new OssError('InvalidArgument', 400, 'no such bucket access control exists');
    const body = (await readBody(req)).toString('utf8');
    const storageClass = /<StorageClass>([^<]*)<\/StorageClass>/.exec(body)?.[1] ?? 'Standard';
    if (!['Standard', 'IA', 'Archive', 'ColdArchive', 'DeepColdArchive'].includes(storageClass))
      throw new OssError('InvalidArgument', 400, 'Invalid storage class.');
    sim.buckets.set(bucket, { owner: who.accountId, location: `oss-${REGION}`, acl, storageClass });
    record('OK');
    xml(res, 200, '');
  } catch (err) {
    if (err instanceof OssError) record(err.code);
    throw err;
  }
}

/** Starts the OSS simulator for these keys. */
export async function startOssSim(identities: readonly SimIdentity[]): Promise<OssSim> {
  const buckets = new Map<string, SimBucket>();
  const calls: OssSim['calls'] = [];
  let sim: OssSim | null = null;
  const { loopback } = await listenLoopback((req, res) => {
    answer(req, res, sim!, identities).catch((err) => {
      const e = err instanceof OssError ? err : new OssError('InternalError', 500, 'We encountered an internal error. Please try again.');
      xml(
        res,
        e.status,
        `<Error><Code>${e.code}</Code><Message>${e.message}</Message><RequestId>${randomUUID()}</RequestId><HostId>oss-${REGION}.aliyuncs.com</HostId></Error>`,
      );
    });
  });
  sim = { url: loopback.url, buckets, calls, close: () => loopback.close() };
  return sim;
}
