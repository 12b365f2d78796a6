/**
 * What to do about a VOD error code, in plain words for the person who must act. Variable names are plain ASCII
 * (this text is ours, never made inert), so they can be copied.
 */
export function vodAdvice(code: string): string {
  if (code.startsWith('InvalidAccessKeyId'))
    return 'the AccessKey ID is unknown or disabled: on Function Compute check the role in s.yaml; elsewhere check ALIBABA_CLOUD_ACCESS_KEY_ID';
  if (code === 'SignatureDoesNotMatch')
    return 'the AccessKey secret does not match its ID: check ALIBABA_CLOUD_ACCESS_KEY_SECRET (on Function Compute the role keys are used, so this points at the local environment)';
  if (code.startsWith('InvalidSecurityToken') || code === 'MissingSecurityToken')
    return 'STS keys need their token: set ALIBABA_CLOUD_SECURITY_TOKEN, and renew expired keys';
  if (code === 'OperationDenied') return 'ApsaraVideo VOD is not activated on this account: activate it in the console';
  if (code === 'OperationDenied.Suspended') return 'the account is in arrears and VOD is suspended: top up the account';
  if (code.startsWith('Forbidden')) return 'the RAM role or user may not call vod:DescribeVodRefreshTasks: attach deploy/ram-policy.json to it';
  if (code === 'InvalidTimeStamp.Expired') return "this machine's clock is more than 15 minutes off: sync it (NTP)";
  if (code.startsWith('Throttling')) return 'the API throttled every attempt: lower VOD_REQUESTS_PER_SECOND, or look for other clients using the same account';
  if (code.startsWith('QuotaExceeded'))
    return "today's refresh quota is spent: it resets at 00:00 UTC+8; lower AUTO_REFRESH_QUOTA_SHARE or ask for a higher quota";
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'RequestTimeout', 'ECONNRESET', 'ETIMEDOUT'].includes(code))
    return 'the VOD endpoint cannot be reached: check VOD_ENDPOINT and the network';
  if (
    code === 'MalformedResponse' ||
    code === 'HttpError' ||
    code === 'InternalError' ||
    code.startsWith('ServiceUnavailable') ||
    code === 'ServiceUnAvailable'
  )
    return 'the VOD API is failing on its side: nothing to change here; it is retried every run';
  return 'see the troubleshooting table in docs/operations.md';
}
