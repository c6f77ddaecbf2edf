/**
 * Invoke API error responses, shaped the way the AWS SDK parses them: the error code in `x-amzn-ErrorType` and a
 * JSON body `{"Type":"User","message":"..."}`, so the SDK throws the matching exception class.
 */
import type { ServerResponse } from "node:http";

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

/** Thrown while handling a request; the listener answers with its response. */
export class InvokeApiError extends Error {
  constructor(readonly response: ApiErrorResponse) {
    super(response.body.toString("utf8"));
    this.name = "InvokeApiError";
  }
}

export function fail(
  statusCode: number,
  errorType: string,
  message: string,
  extra?: Readonly<Record<string, string>>,
): never {
  throw new InvokeApiError(apiError(statusCode, errorType, message, extra));
}

export function sendError(response: ServerResponse, error: ApiErrorResponse, requestId: string): void {
  response.writeHead(error.statusCode, {
    "content-type": "application/json",
    "content-length": error.body.length,
    "x-amzn-errortype": error.errorType,
    "x-amzn-requestid": requestId,
  });
  response.end(error.body);
}
