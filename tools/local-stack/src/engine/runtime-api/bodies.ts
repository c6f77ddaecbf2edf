/**
 * The JSON bodies the Runtime API answers with, byte for byte as RAPID writes them: Go's `json.Encoder` output,
 * so a fixed key order, `<`, `>` and `&` escaped as `\u003c`, `\u003e`, `\u0026`, and a trailing newline.
 */

/** The maximum size of a buffered response or error body a runtime may post: 6 MiB + 100 bytes. */
export const MAX_RUNTIME_PAYLOAD_BYTES = 6 * 1024 * 1024 + 100;

/** Serialises `value` the way Go's `json.Encoder` does (HTML-safe escaping, trailing newline). */
export function goJson(value: unknown): string {
  return `${JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029")}\n`;
}

function errorBody(errorMessage: string, errorType: string): string {
  return goJson({ errorMessage, errorType });
}

/** The state names RAPID uses in its "State transition ... failed" messages. */
export type RuntimeStateName =
  | "Started"
  | "InitError"
  | "Ready"
  | "Running"
  | "InvocationResponse"
  | "InvocationErrorResponse"
  | "RuntimeResponseSentState";

export const BODIES = {
  accepted: goJson({ status: "OK" }),
  invalidRequestId: errorBody("Invalid request ID", "InvalidRequestID"),
  invalidResponseMode: errorBody("Invalid function response mode", "InvalidFunctionResponseMode"),
  tooLarge: errorBody(
    `Exceeded maximum allowed payload size (${MAX_RUNTIME_PAYLOAD_BYTES} bytes).`,
    "RequestEntityTooLarge",
  ),
  internalError: errorBody("Internal Server Error", "InternalServerError"),
  logsNotSupported: errorBody("Logs API is not supported", "Logs.NotSupported"),
  telemetryNotSupported: errorBody("Telemetry API is not supported", "Telemetry.NotSupported"),
  invalidTransition: (from: RuntimeStateName, to: RuntimeStateName): string =>
    errorBody(
      `State transition from ${from} to ${to} failed for runtime. Error: State transition is not allowed`,
      "InvalidStateTransition",
    ),
} as const;

/** What the invoker gets when the runtime's response is over the limit (a function error in real Lambda). */
export function responseTooLargePayload(bytes: number, limit: number = MAX_RUNTIME_PAYLOAD_BYTES): string {
  return JSON.stringify({
    errorType: "Function.ResponseSizeTooLarge",
    errorMessage: `Response payload size (${bytes} bytes) exceeded maximum allowed payload size (${limit} bytes).`,
  });
}
