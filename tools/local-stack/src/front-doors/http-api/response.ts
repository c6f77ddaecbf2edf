/**
 * Turns what a function returned into the HTTP response API Gateway (HTTP API, payload format 2.0) sends.
 * Pure: payload in, status + headers + body out. Whatever the function returned, the result can be sent: anything
 * HTTP cannot carry (a header outside Latin-1, CR/LF in a value, a name that is not a token) is a 500 that says why.
 */
import { validateHeaderName, validateHeaderValue } from "node:http";

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

/** Headers that frame the message: the gateway sets them itself and ignores the function's. */
const FRAMING_HEADERS = new Set([
  "connection",
  "content-length",
  "keep-alive",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

function quote(text: string): string {
  const quoted = JSON.stringify(text);
  return quoted.length > 80 ? `${quoted.slice(0, 77)}..."` : quoted;
}

/** Why HTTP/1.1 cannot carry this header (checked by node:http's own rules), or undefined when it can. */
function headerProblem(name: string, value: string, what = `header "${name}"`): string | undefined {
  try {
    validateHeaderName(name);
  } catch {
    return `header name ${quote(name)} is not a valid HTTP token (letters, digits and !#$%&'*+-.^_\`|~ only)`;
  }
  try {
    validateHeaderValue(name, value);
  } catch {
    return `${what} has a value HTTP cannot carry (Latin-1 text without control characters such as CR or LF): ${quote(value)}`;
  }
  return undefined;
}

export type ResponseHead =
  | {
      readonly ok: true;
      readonly statusCode: number;
      readonly headers: ReadonlyArray<readonly [string, string]>;
    }
  | { readonly ok: false; readonly problem: string };

/**
 * Checks the status code, headers and cookies of a structured response (or a streamed response's prelude): the
 * header pairs to send, with one `set-cookie` per cookie, or why they cannot be sent.
 */
export function responseHead(statusCode: unknown, headers: unknown, cookies: unknown): ResponseHead {
  const fail = (problem: string) => ({ ok: false as const, problem });
  if (
    typeof statusCode !== "number" ||
    !Number.isInteger(statusCode) ||
    statusCode < 200 ||
    statusCode > 599
  ) {
    return fail(
      `statusCode must be an integer from 200 to 599 (a 1xx is not a final response), got ${JSON.stringify(statusCode)}`,
    );
  }
  const pairs: Array<readonly [string, string]> = [];
  if (headers !== undefined && headers !== null) {
    if (!isRecord(headers)) return fail("headers must be an object of name: value");
    for (const [name, value] of Object.entries(headers)) {
      const text = headerValue(value);
      if (text === undefined) return fail(`header "${name}" must be a string, number or boolean`);
      const problem = headerProblem(name, text);
      if (problem !== undefined) return fail(problem);
      const lowerCase = name.toLowerCase();
      if (!FRAMING_HEADERS.has(lowerCase)) pairs.push([lowerCase, text]);
    }
  }
  if (cookies !== undefined && cookies !== null) {
    if (!Array.isArray(cookies) || !cookies.every((cookie) => typeof cookie === "string")) {
      return fail("cookies must be an array of strings");
    }
    for (const [index, cookie] of cookies.entries()) {
      const problem = headerProblem("set-cookie", cookie, `cookie ${index}`);
      if (problem !== undefined) return fail(problem);
      pairs.push(["set-cookie", cookie]);
    }
  }
  return { ok: true, statusCode, headers: pairs };
}

/** Standard base64, padded or not; line breaks and spaces (as MIME encoders write them) are ignored. */
const BASE64_TEXT = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

function structuredResponse(result: Record<string, unknown>): GatewayResponse {
  const { statusCode, headers, cookies, body, isBase64Encoded } = result;
  const head = responseHead(statusCode, headers, cookies);
  if (!head.ok) return internalServerError(head.problem);
  if (body !== undefined && body !== null && typeof body !== "string") {
    return internalServerError(`body must be a string, got ${Array.isArray(body) ? "array" : typeof body}`);
  }
  if (isBase64Encoded !== undefined && typeof isBase64Encoded !== "boolean") {
    return internalServerError("isBase64Encoded must be true or false");
  }
  const text = body ?? "";
  if (isBase64Encoded === true && !BASE64_TEXT.test(text)) {
    return internalServerError(`the body is marked isBase64Encoded but is not valid base64: ${quote(text)}`);
  }
  return {
    statusCode: head.statusCode,
    headers: head.headers,
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
