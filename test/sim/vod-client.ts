import { randomUUID } from 'node:crypto';
import { API_VERSION, DEFAULT_ACCOUNT, type SimAccount } from '../../sim/vod/server';
import { percentEncode, signRpc } from '../../sim/vod/signature';
import type { SimTask } from '../../sim/vod/store';

/** What the simulated API answers, loosely typed for assertions. */
export interface ApiBody {
  Code?: string;
  Message?: string;
  TotalCount?: number;
  Tasks?: { Task: SimTask[] };
  RefreshTaskId?: string;
  PreloadTaskId?: string;
  [field: string]: unknown;
}

/** `yyyy-MM-ddTHH:mm:ssZ` of epoch ms. */
export const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A hand-signed RPC call (signature V1, real-clock Timestamp), as any SDK would send it. */
export async function callVod(
  baseUrl: string,
  params: Record<string, string>,
  options: { method?: 'GET' | 'POST'; account?: SimAccount; signWith?: string } = {},
): Promise<{ status: number; date: string | null; body: ApiBody }> {
  const account = options.account ?? DEFAULT_ACCOUNT;
  const method = options.method ?? 'GET';
  const all: Record<string, string> = {
    Format: 'JSON',
    Version: API_VERSION,
    AccessKeyId: account.accessKeyId,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomUUID(),
    Timestamp: isoSeconds(Date.now()),
    ...(account.securityToken ? { SecurityToken: account.securityToken } : {}),
    ...params,
  };
  all.Signature = signRpc(method, all, options.signWith ?? account.accessKeySecret);
  const form = Object.entries(all)
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join('&');
  const res =
    method === 'GET'
      ? await fetch(`${baseUrl}/?${form}`)
      : await fetch(`${baseUrl}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
  return { status: res.status, date: res.headers.get('date'), body: (await res.json()) as ApiBody };
}

/** A clock tests move by hand. */
export function manualClock(startMs: number) {
  let t = startMs;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
    set(ms: number) {
      t = ms;
    },
  };
}
