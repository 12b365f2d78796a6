import { ConfigError } from '../config';
import type { Credentials } from '../vod/types';
import type { SetupApis } from './account';
import { REGION } from './desired';
import { OssBucketApi } from './oss';
import { RAM_API, RpcApi, STS_API } from './rpc';

type Env = Record<string, string | undefined>;

/** RAM_ENDPOINT, STS_ENDPOINT or OSS_ENDPOINT when set (https, or http on loopback: the simulators), else `fallback`. */
function endpointOf(env: Env, name: 'RAM_ENDPOINT' | 'STS_ENDPOINT' | 'OSS_ENDPOINT', fallback: string): string {
  const raw = (env[name] ?? '').trim().replace(/\/+$/, '');
  if (!raw) return fallback;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigError([`${name}: is not a URL; use https://host (or http://127.0.0.1:port for a local simulator)`]);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  if (!(u.protocol === 'https:' || (u.protocol === 'http:' && loopback)) || u.pathname !== '/')
    throw new ConfigError([`${name}: use https://host, without a path (http only on loopback)`]);
  return `${u.protocol}//${u.host}`;
}

/** The RAM, STS and OSS clients `setup` uses, with these credentials. */
export function setupApis(env: Env, credentials: Credentials): SetupApis {
  return {
    ram: new RpcApi({ ...RAM_API, endpoint: endpointOf(env, 'RAM_ENDPOINT', RAM_API.endpoint) }, credentials),
    sts: new RpcApi({ ...STS_API, endpoint: endpointOf(env, 'STS_ENDPOINT', STS_API.endpoint) }, credentials),
    oss: new OssBucketApi(credentials, REGION, endpointOf(env, 'OSS_ENDPOINT', `https://oss-${REGION}.aliyuncs.com`)),
  };
}
