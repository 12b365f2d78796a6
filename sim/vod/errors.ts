import { randomUUID } from 'node:crypto';

/** An error answer of the API: its code, HTTP status and message. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A request id in the API's style (upper-case UUID). */
export const requestId = (): string => randomUUID().toUpperCase();

/** The body Alibaba Cloud's gateway answers an error with. */
export function errorBody(err: ApiError): Record<string, string> {
  return {
    RequestId: requestId(),
    HostId: 'vod.cn-shanghai.aliyuncs.com',
    Code: err.code,
    Message: err.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${err.code}`,
  };
}

/** `MissingParameter` for a required parameter. */
export function missing(name: string): ApiError {
  return new ApiError('MissingParameter', 400, `The input parameter "${name}" that is mandatory for processing this request is not supplied.`);
}

/** `InvalidParameter` for a parameter with a value the API does not take. */
export function invalid(name: string): ApiError {
  return new ApiError('InvalidParameter', 400, `The specified parameter ${name} is invalid.`);
}
