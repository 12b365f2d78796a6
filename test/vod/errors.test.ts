import { classifyVodError, isRetryableCode } from '../../lib/vod/errors';

describe('VOD error classification', () => {
  it.each([
    ['Throttling', 503, true],
    ['Throttling.User', 400, true],
    ['ServiceUnAvailable', 503, true],
    ['InternalError', 500, true],
    ['SignatureNonceUsed', 400, true],
    ['OperationDenied', 403, false],
    ['OperationDenied.Suspended', 403, false],
    ['InvalidAccessKeyId.NotFound', 404, false],
    ['InvalidAccessKeyId.Inactive', 403, false],
    ['SignatureDoesNotMatch', 400, false],
    ['InvalidTaskId.Malformed', 400, false],
    ['MissingParameter', 400, false],
    ['MissingParameter.ObjectType', 400, false],
    ['InvalidParameter', 400, false],
    ['InvalidStartTime.Malformed', 400, false],
    ['InvalidEndTime.Mismatch', 400, false],
    ['InvalidTime', 400, false],
    ['InvalidTimeStamp.Expired', 400, false],
    ['SomethingNew', 502, true],
    ['SomethingNew', 400, false],
  ])('%s (HTTP %i) retryable: %s', (code, status, retryable) => {
    expect(isRetryableCode(code, status)).toBe(retryable);
  });

  const signedUrl = 'https://vod.cn-shanghai.aliyuncs.com/?AccessKeyId=LTAIabc&Signature=c2lnbmF0dXJl%3D&SecurityToken=tok123';

  it("rebuilds the message from the body and never carries pop-core's signed URL", () => {
    const popErr = Object.assign(new Error(`Request was denied due to request throttling., URL: ${signedUrl}`), {
      name: 'ThrottlingError',
      code: 'Throttling',
      url: signedUrl,
      data: { Code: 'Throttling', Message: 'Request was denied due to request throttling.', RequestId: 'REQ-1' },
      entry: { url: signedUrl, response: { statusCode: 503 } },
    });
    const e = classifyVodError(popErr);
    expect(e).toMatchObject({ code: 'Throttling', requestId: 'REQ-1', httpStatus: 503, retryable: true });
    const serialized = JSON.stringify({ e, m: e.message, s: e.stack });
    expect(serialized).not.toContain('Signature');
    expect(serialized).not.toContain('tok123');
  });

  it.each([
    ['a read timeout', Object.assign(new Error(`ReadTimeout: 3000. GET /?Signature=x failed.`), { name: 'RequestTimeoutError' }), 'RequestTimeout', true],
    ['a connect timeout', Object.assign(new Error(`ConnectTimeout: Connect ${signedUrl} failed.`), { name: 'RequestTimeoutError' }), 'RequestTimeout', true],
    ['a reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'ECONNRESET', true],
    ['a refusal', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'ECONNREFUSED', true],
    ['a hang-up', new Error('socket hang up'), 'ECONNRESET', true],
    ['an HTML body', Object.assign(new Error("Unexpected '<'"), { name: 'SyntaxError' }), 'MalformedResponse', true],
    ['something else', new TypeError(`boom ${signedUrl}`), 'UnknownError', false],
  ])('classifies %s', (_n, err, code, retryable) => {
    const e = classifyVodError(err, 3000);
    expect(e.code).toBe(code);
    expect(e.retryable).toBe(retryable);
    expect(e.message).not.toContain('Signature');
  });
});
