/**
 * Reads and checks an invoke request the way Lambda does: the invocation and log types, the payload limits, the
 * payload's JSON and the client context. Every refusal is an InvokeApiError with Lambda's error code.
 */
import type { IncomingMessage } from "node:http";
import { type InvokeRequest, LIMITS } from "../../contract.js";
import { readBody } from "../../http/read-body.js";
import { fail } from "./errors.js";

/** `X-Amz-Client-Context` may carry at most this many bytes of base64. */
const CLIENT_CONTEXT_LIMIT = 3583;

const INVOCATION_TYPES = ["RequestResponse", "Event", "DryRun"] as const;
export type InvocationType = (typeof INVOCATION_TYPES)[number];
/** InvokeWithResponseStream has no Event type. */
const STREAMING_INVOCATION_TYPES = ["RequestResponse", "DryRun"] as const;
const LOG_TYPES = ["None", "Tail"] as const;

export interface ParsedInvoke {
  readonly invocationType: InvocationType;
  readonly tail: boolean;
  readonly invokeRequest: InvokeRequest;
}

function singleHeader(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function enumHeader<T extends string>(
  request: IncomingMessage,
  name: string,
  field: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const value = singleHeader(request, name);
  if (value === undefined || value === "") return fallback;
  const found = allowed.find((candidate) => candidate === value);
  if (found !== undefined) return found;
  return fail(
    400,
    "ValidationException",
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ` +
      `Member must satisfy enum value set: [${allowed.join(", ")}]`,
  );
}

/** Base64-decodes `X-Amz-Client-Context` and checks it holds a JSON object, as Lambda requires. */
function decodeClientContext(header: string | undefined): string | undefined {
  if (header === undefined || header === "") return undefined;
  if (header.length > CLIENT_CONTEXT_LIMIT) {
    fail(
      400,
      "InvalidParameterValueException",
      `X-Amz-Client-Context is ${header.length} bytes; Lambda accepts at most ${CLIENT_CONTEXT_LIMIT} bytes of base64.`,
    );
  }
  const invalid = (why: string) =>
    fail(
      400,
      "InvalidRequestContentException",
      `Client context must be a valid Base64-encoded JSON object: ${why}. Encode it with ` +
        `Buffer.from(JSON.stringify(context)).toString("base64").`,
    );
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(header) || header.length % 4 !== 0) {
    return invalid("X-Amz-Client-Context is not base64");
  }
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(header, "base64"));
  } catch {
    return invalid("the decoded bytes are not UTF-8 text");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded);
  } catch (error) {
    return invalid(`the decoded text is not JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return invalid("the decoded JSON is not an object");
  }
  return decoded;
}

/** Lambda accepts an empty body as `{}`; anything else must parse as JSON. */
function checkPayload(body: Buffer): Buffer {
  if (body.length === 0) return Buffer.from("{}");
  try {
    JSON.parse(body.toString("utf8"));
  } catch (error) {
    fail(
      400,
      "InvalidRequestContentException",
      `Could not parse request body into json: Could not parse payload into json: ${(error as Error).message}`,
    );
  }
  return body;
}

/** Reads the body and headers of an invoke; `streaming` for InvokeWithResponseStream. */
export async function readInvoke(request: IncomingMessage, streaming: boolean): Promise<ParsedInvoke> {
  const invocationType = enumHeader<InvocationType>(
    request,
    "x-amz-invocation-type",
    "invocationType",
    streaming ? STREAMING_INVOCATION_TYPES : INVOCATION_TYPES,
    "RequestResponse",
  );
  const tail = enumHeader(request, "x-amz-log-type", "logType", LOG_TYPES, "None") === "Tail";
  const { body, size, tooLarge } = await readBody(request, LIMITS.requestBytes);
  if (tooLarge) {
    fail(
      413,
      "RequestEntityTooLargeException",
      `Request must be smaller than ${LIMITS.requestBytes} bytes for the InvokeFunction operation`,
    );
  }
  if (invocationType === "Event" && size > LIMITS.eventRequestBytes) {
    fail(
      413,
      "RequestEntityTooLargeException",
      `${size} byte payload is too large for the Event invocation type (limit ${LIMITS.eventRequestBytes} bytes)`,
    );
  }
  const payload = checkPayload(body);
  const clientContext = decodeClientContext(singleHeader(request, "x-amz-client-context"));
  const traceId = singleHeader(request, "x-amzn-trace-id");
  const tenantId = singleHeader(request, "x-amz-tenant-id");
  const captureLogs = tail && invocationType === "RequestResponse";
  return {
    invocationType,
    tail,
    invokeRequest: {
      payload,
      ...(clientContext === undefined ? {} : { clientContext }),
      ...(traceId === undefined ? {} : { traceId }),
      ...(tenantId === undefined ? {} : { tenantId }),
      ...(captureLogs ? { captureLogs } : {}),
      ...(streaming ? { acceptStream: true } : {}),
    },
  };
}
