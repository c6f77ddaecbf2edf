/**
 * Turns what a function returned into the HTTP response API Gateway (HTTP API, payload format 2.0) sends.
 * Pure: payload in, status + headers + body out.
 */

export interface GatewayResponse {
  readonly statusCode: number;
  /** Header name/value pairs; a name may repeat (one `set-cookie` per cookie). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
  /** Why the gateway answered 500 instead of passing the function's answer on (for the log, never sent). */
  readonly problem?: string;
}

const JSON_CONTENT_TYPE = ["content-type", "application/json"] as const;

function messageResponse(statusCode: number, message: string, problem?: string): GatewayResponse {
  return {
    statusCode,
    headers: [JSON_CONTENT_TYPE],
    body: Buffer.from(JSON.stringify({ message })),
    ...(problem === undefined ? {} : { problem }),
  };
}

export const NOT_FOUND: GatewayResponse = messageResponse(404, "Not Found");

export function internalServerError(problem: string): GatewayResponse {
  return messageResponse(500, "Internal Server Error", problem);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function headerValue(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function structuredResponse(result: Record<string, unknown>): GatewayResponse {
  const { statusCode, headers, cookies, body, isBase64Encoded } = result;
  if (
    typeof statusCode !== "number" ||
    !Number.isInteger(statusCode) ||
    statusCode < 100 ||
    statusCode > 599
  ) {
    return internalServerError(
      `statusCode must be an integer from 100 to 599, got ${JSON.stringify(statusCode)}`,
    );
  }
  const pairs: Array<readonly [string, string]> = [];
  if (headers !== undefined && headers !== null) {
    if (!isRecord(headers)) return internalServerError("headers must be an object of name: value");
    for (const [name, value] of Object.entries(headers)) {
      const text = headerValue(value);
      if (text === undefined) {
        return internalServerError(`header "${name}" must be a string, number or boolean`);
      }
      pairs.push([name.toLowerCase(), text]);
    }
  }
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies) || !cookies.every((cookie) => typeof cookie === "string")) {
      return internalServerError("cookies must be an array of strings");
    }
    for (const cookie of cookies) pairs.push(["set-cookie", cookie]);
  }
  if (body !== undefined && body !== null && typeof body !== "string") {
    return internalServerError(`body must be a string, got ${Array.isArray(body) ? "array" : typeof body}`);
  }
  if (isBase64Encoded !== undefined && typeof isBase64Encoded !== "boolean") {
    return internalServerError("isBase64Encoded must be true or false");
  }
  const text = body ?? "";
  return {
    statusCode,
    headers: pairs,
    body: isBase64Encoded === true ? Buffer.from(text, "base64") : Buffer.from(text, "utf8"),
  };
}

/**
 * Maps a function's result. A function error (handler error, timeout, crash) or an answer that is not JSON is a
 * 500; JSON without `statusCode` is passed on as a 200 JSON body; anything else is the structured response.
 */
export function mapFunctionResult(payload: Buffer, functionError: boolean): GatewayResponse {
  if (functionError)
    return internalServerError(`the function failed: ${payload.toString("utf8").slice(0, 500)}`);
  let result: unknown;
  try {
    result = JSON.parse(payload.toString("utf8"));
  } catch {
    return internalServerError("the function's response is not JSON");
  }
  if (isRecord(result) && "statusCode" in result) return structuredResponse(result);
  // "Hello from Lambda!" -> Hello from Lambda!; {"message":"..."} -> the JSON as returned.
  const body = typeof result === "string" ? result : payload.toString("utf8");
  return { statusCode: 200, headers: [JSON_CONTENT_TYPE], body: Buffer.from(body, "utf8") };
}
