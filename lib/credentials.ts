import { ConfigError } from './config';
import type { Credentials } from './vod/types';

/** The parts of the Function Compute context this function reads. */
export interface FcContext {
  readonly requestId?: string;
  readonly credentials?: { accessKeyId?: string; accessKeySecret?: string; securityToken?: string };
  readonly function?: { name?: string; timeout?: number; memory?: number };
  readonly region?: string;
}

/** The role's STS keys from the context (read on every invocation), else the ALIBABA_CLOUD_* variables. */
export function credentialsFrom(context: FcContext | undefined, env: Record<string, string | undefined>): Credentials {
  const c = context?.credentials;
  if (c?.accessKeyId && c.accessKeySecret)
    return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, securityToken: c.securityToken || undefined };
  const id = env.ALIBABA_CLOUD_ACCESS_KEY_ID;
  const secret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET;
  if (id && secret) return { accessKeyId: id, accessKeySecret: secret, securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN || undefined };
  throw new ConfigError([
    'credentials: none found; give the function a role (s.yaml `role`), or set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN for STS keys)',
  ]);
}
