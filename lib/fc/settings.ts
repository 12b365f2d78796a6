import { ConfigError } from '../config';

/** Where the Function Compute 3.0 API is, from FC_ENDPOINT, or FC_ACCOUNT_ID and FC_REGION. */
export interface FcSettings {
  /** `host[:port]`, as the SDK takes it. */
  readonly endpoint: string;
  readonly protocol: 'https' | 'http';
  readonly region: string;
}

/** The monitor's function name when neither --function nor FC_FUNCTION_NAME says otherwise. */
const DEFAULT_FUNCTION_NAME = 'vod-refresh-monitor';
/** The failure handler is deployed beside the monitor under this suffix. */
export const WATCHDOG_SUFFIX = '-watchdog';

const LOOPBACK = /^(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/;

function endpointOf(raw: string): { host: string; protocol: 'https' | 'http' } | string {
  const text = raw.trim().replace(/\/+$/, '');
  const m = /^(?:(https?):\/\/)?([A-Za-z0-9.-]+(?::\d{1,5})?|\[::1\](?::\d{1,5})?)$/.exec(text);
  if (!m) return 'is not a host; use host[:port], e.g. 1234567890123456.cn-shanghai.fc.aliyuncs.com';
  const host = m[2]!;
  const loopback = LOOPBACK.test(host);
  if (m[1] === 'http' && !loopback) return 'must be https (http only on loopback)';
  return { host, protocol: loopback ? 'http' : 'https' };
}

/**
 * Reads FC_ENDPOINT (host[:port], http on loopback only), else FC_ACCOUNT_ID and FC_REGION (default cn-shanghai).
 * Throws ConfigError naming the variable and what it accepts.
 */
export function fcSettings(env: Record<string, string | undefined>): FcSettings {
  const region = (env.FC_REGION ?? '').trim() || 'cn-shanghai';
  const problems: string[] = [];
  if (!/^[a-z]{2,3}-[a-z0-9-]{2,30}$/.test(region))
    problems.push(`FC_REGION: ${JSON.stringify(region.slice(0, 40))} is not a region; use a region id such as cn-shanghai`);
  const raw = (env.FC_ENDPOINT ?? '').trim();
  if (raw) {
    const ep = endpointOf(raw);
    if (typeof ep === 'string') problems.push(`FC_ENDPOINT: ${ep}`);
    else if (problems.length === 0) return { endpoint: ep.host, protocol: ep.protocol, region };
  } else {
    const account = (env.FC_ACCOUNT_ID ?? '').trim();
    if (!account)
      problems.push(
        'FC_ACCOUNT_ID: is required for status and invoke; `npx vod-refresh-monitor setup` writes it into .env (or set your account ID, digits, shown in the console under your avatar; or FC_ENDPOINT)',
      );
    else if (!/^\d{5,20}$/.test(account)) problems.push('FC_ACCOUNT_ID: is not an account ID; use the digits of your Alibaba Cloud account ID');
    else if (problems.length === 0) return { endpoint: `${account}.${region}.fc.aliyuncs.com`, protocol: 'https', region };
  }
  throw new ConfigError(problems);
}

/** The function name to use: `--function`, else FC_FUNCTION_NAME, else the default; refused when it cannot be one. */
export function functionNameOf(option: string | undefined, env: Record<string, string | undefined>): string {
  const name = (option ?? env.FC_FUNCTION_NAME ?? '').trim() || DEFAULT_FUNCTION_NAME;
  if (!/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/.test(name)) {
    throw new ConfigError([
      `${option !== undefined ? '--function' : 'FC_FUNCTION_NAME'}: ${JSON.stringify(name.slice(0, 40))} is not a function name; use letters, digits, _ and -, starting with a letter or _`,
    ]);
  }
  return name;
}
