import { safeEqual } from '../shared/safe-equal';
import { ApiError, invalid, missing } from './errors';
import { TIME_RE } from './params';
import { signRpc, stringToSign } from './signature';

/** An AccessKey the simulator knows. STS keys (`STS.` prefix) also need their token. */
export interface SimAccount {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  /** `ok`, VOD `notOpened` (OperationDenied) or `suspended` (OperationDenied.Suspended). */
  state?: 'ok' | 'notOpened' | 'suspended';
}

/** The key a simulator knows when given none. */
export const DEFAULT_ACCOUNT: SimAccount = { accessKeyId: 'LTAI5tSimulatedKey01', accessKeySecret: 'sim-secret-0123456789abcdef' };
/** The VOD API version the simulator serves. */
export const API_VERSION = '2017-03-21';
const SKEW_MS = 15 * 60_000;
const COMMON = ['AccessKeyId', 'Timestamp', 'SignatureNonce', 'Signature', 'SignatureMethod', 'SignatureVersion', 'Version', 'Action'];

/** The gateway's checks of RPC signature V1, against the real clock (Date.now) as Alibaba Cloud's own. */
export class Gateway {
  /** Nonces seen, remembered for the 30 minutes a Timestamp can stay valid. */
  private readonly nonces = new Map<string, number>();

  constructor(private readonly accounts: readonly SimAccount[]) {}

  /** Checks common parameters, Timestamp, key, signature, STS token, nonce and Version; returns the caller's key. */
  authenticate(method: string, params: Record<string, string>): SimAccount {
    for (const name of COMMON) if (params[name] === undefined) throw missing(name);
    if (params.SignatureMethod !== 'HMAC-SHA1') throw new ApiError('InvalidParameter', 400, 'The specified SignatureMethod is not supported.');
    if (params.SignatureVersion !== '1.0') throw new ApiError('InvalidParameter', 400, 'The specified SignatureVersion is not supported.');
    if (params.Format !== undefined && !['JSON', 'XML'].includes(params.Format)) throw invalid('Format');
    const ts = params.Timestamp!;
    const tsMs = TIME_RE.test(ts) ? Date.parse(ts) : NaN;
    if (Number.isNaN(tsMs)) throw new ApiError('InvalidTimeStamp.Format', 400, 'Specified time stamp or date value is not well formatted.');
    if (Math.abs(Date.now() - tsMs) > SKEW_MS) throw new ApiError('InvalidTimeStamp.Expired', 400, 'Specified time stamp or date value is expired.');
    const account = this.accounts.find((a) => a.accessKeyId === params.AccessKeyId);
    if (!account) throw new ApiError('InvalidAccessKeyId.NotFound', 404, 'Specified access key is not found.');
    if (!safeEqual(signRpc(method, params, account.accessKeySecret), params.Signature!)) {
      // The real gateway echoes its string to sign (AccessKeyId and SecurityToken included): a client must not log this message.
      throw new ApiError(
        'SignatureDoesNotMatch',
        400,
        `Specified signature is not matched with our calculation. server string to sign is:${stringToSign(method, params)}`,
      );
    }
    if (account.accessKeyId.startsWith('STS.')) {
      if (params.SecurityToken === undefined) throw new ApiError('MissingSecurityToken', 400, 'SecurityToken is mandatory for this action.');
      if (!account.securityToken || !safeEqual(account.securityToken, params.SecurityToken)) {
        throw new ApiError('InvalidSecurityToken.MismatchWithAccessKey', 400, 'Specified SecurityToken mismatch with the AccessKey.');
      }
    }
    this.useNonce(params.SignatureNonce!);
    if (params.Version !== API_VERSION) throw new ApiError('InvalidVersion', 400, 'Specified parameter Version is not valid.');
    return account;
  }

  private useNonce(nonce: string): void {
    const t = Date.now();
    const seen = this.nonces.get(nonce);
    if (seen !== undefined && t - seen < SKEW_MS * 2) throw new ApiError('SignatureNonceUsed', 400, 'Specified signature nonce was used already.');
    this.nonces.set(nonce, t);
    if (this.nonces.size > 200_000) for (const [n, at] of this.nonces) if (t - at > SKEW_MS * 2) this.nonces.delete(n);
  }
}

/** OperationDenied when VOD is not opened for the account, OperationDenied.Suspended when it is in arrears. */
export function checkAccountState(account: SimAccount): void {
  if (account.state === 'notOpened') throw new ApiError('OperationDenied', 403, 'Your account does not open VOD service yet.');
  if (account.state === 'suspended') throw new ApiError('OperationDenied.Suspended', 403, 'Your VOD service is suspended.');
}
