/** How the Runtime API reads an error a runtime reports (`/invocation/{id}/error`, `/init/error`, trailers). */

/** RAPID keeps an error type only when it looks like `Runtime.Xxx` or `Function.Xxx` (unanchored match). */
const VALID_ERROR_TYPE = /(Runtime|Function)\.[A-Z][a-zA-Z]+/;
const ERROR_CAUSE_TYPE = "application/vnd.aws.lambda.error.cause+json";

export interface RuntimeError {
  /** The body as the invoker gets it: passed through verbatim (re-serialised only for error-cause bodies). */
  readonly payload: Buffer;
  /** The type as RAPID records it for the logs: the header when valid, else `Runtime.Unknown`. */
  readonly reportedType: string;
  /** The type the invoker sees: the body's `errorType` when there is one, else `reportedType`. */
  readonly errorType: string;
}

/** Applies RAPID's rule to the `Lambda-Runtime-Function-Error-Type` header. */
function validErrorType(header: string | undefined): string {
  if (header !== undefined && VALID_ERROR_TYPE.test(header)) return header;
  return header?.startsWith("Function.") ? "Function.Unknown" : "Runtime.Unknown";
}

export function describeRuntimeError(
  headerType: string | undefined,
  body: Buffer,
  contentType?: string,
): RuntimeError {
  const reportedType = validErrorType(headerType);
  const payload =
    contentType?.split(";")[0]?.trim() === ERROR_CAUSE_TYPE ? reserialiseErrorCause(body) : body;
  const bodyType = errorTypeIn(payload);
  return { payload, reportedType, errorType: bodyType ?? reportedType };
}

function parseObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(body.toString("utf8"));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function errorTypeIn(body: Buffer): string | undefined {
  const errorType = parseObject(body)?.errorType;
  return typeof errorType === "string" && errorType.length > 0 ? errorType : undefined;
}

/** An error-cause body is re-serialised as `{errorMessage, errorType, stackTrace?}`, dropping anything else. */
function reserialiseErrorCause(body: Buffer): Buffer {
  const parsed = parseObject(body);
  if (parsed === undefined) return Buffer.from("Invalid error body");
  const { errorMessage, errorType, stackTrace } = parsed;
  return Buffer.from(
    JSON.stringify({ errorMessage, errorType, ...(stackTrace === undefined ? {} : { stackTrace }) }),
  );
}
