/**
 * Invoke API error responses, shaped the way the AWS SDK parses them: the error code in `x-amzn-ErrorType` and a
 * JSON body `{"Type":"User","message":"..."}`, so the SDK throws the matching exception class.
 */

export interface ApiErrorResponse {
  readonly statusCode: number;
  readonly errorType: string;
  readonly body: Buffer;
}

export function apiError(
  statusCode: number,
  errorType: string,
  message: string,
  extra: Readonly<Record<string, string>> = {},
): ApiErrorResponse {
  const type = statusCode >= 500 ? "Service" : "User";
  return {
    statusCode,
    errorType,
    body: Buffer.from(JSON.stringify({ Type: type, message, ...extra })),
  };
}
