/**
 * The local Invoke API (what `aws lambda invoke`, the AWS SDK's InvokeCommand and the write-up's curl call talk
 * to). It follows real Lambda rather than the Runtime Interface Emulator: every function by name or ARN, the
 * `/functions/function/` alias for the default function, function errors flagged with `X-Amz-Function-Error`,
 * Event and DryRun invocation types, log tails, payload limits and error bodies the SDK turns into its
 * exception classes.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, OutgoingHttpHeaders, RequestListener, ServerResponse } from "node:http";
import { type FunctionHost, type InvokeOutcome, type InvokeRequest, LIMITS } from "../contract.js";
import { readBody } from "../http-api/body.js";
import { type ApiErrorResponse, apiError } from "./errors.js";
import { parseFunctionReference } from "./function-name.js";

/** The name the Runtime Interface Emulator serves its one function under; here it means the default function. */
export const DEFAULT_FUNCTION_ALIAS = "function";

/** `X-Amz-Client-Context` may carry at most this many bytes of base64. */
export const CLIENT_CONTEXT_LIMIT = 3583;

export interface InvokeApiOptions {
  readonly hosts: ReadonlyMap<string, FunctionHost>;
  /** The function `/2015-03-31/functions/function/invocations` invokes. */
  readonly defaultFunction: string;
  /** Region and account that appear in ARNs and messages. */
  readonly region: string;
  readonly accountId: string;
  /** One line per invoke: function, type, status, time. */
  readonly log?: (line: string) => void;
}

export interface InvokeApi {
  readonly listener: RequestListener;
  /** Resolves when every Event (asynchronous) invoke started so far has finished. */
  settled(): Promise<void>;
}

const INVOCATION_TYPES = ["RequestResponse", "Event", "DryRun"] as const;
type InvocationType = (typeof INVOCATION_TYPES)[number];
const LOG_TYPES = ["None", "Tail"] as const;

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const STREAMING_PATH = /^\/2021-11-15\/functions\/([^/]+)\/response-streaming-invocations\/?$/;

class InvokeApiError extends Error {
  constructor(readonly response: ApiErrorResponse) {
    super(response.body.toString("utf8"));
  }
}

function fail(statusCode: number, errorType: string, message: string, extra?: Record<string, string>): never {
  throw new InvokeApiError(apiError(statusCode, errorType, message, extra));
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
  if ((allowed as readonly string[]).includes(value)) return value as T;
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
  const decoded = Buffer.from(header, "base64").toString("utf8");
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

function sendError(response: ServerResponse, error: ApiErrorResponse, requestId: string): void {
  response.writeHead(error.statusCode, {
    "content-type": "application/json",
    "content-length": error.body.length,
    "x-amzn-errortype": error.errorType,
    "x-amzn-requestid": requestId,
  });
  response.end(error.body);
}

function successHeaders(
  outcome: Extract<InvokeOutcome, { kind: "response" }>,
  tail: boolean,
): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    "content-type": outcome.contentType,
    "content-length": outcome.payload.length,
    "x-amzn-requestid": outcome.requestId,
    "x-amz-executed-version": "$LATEST",
  };
  if (outcome.functionError !== undefined) headers["x-amz-function-error"] = outcome.functionError;
  if (tail) headers["x-amz-log-result"] = Buffer.from(outcome.logTail ?? "", "utf8").toString("base64");
  return headers;
}

export function createInvokeApi(options: InvokeApiOptions): InvokeApi {
  const log = options.log ?? ((line: string) => console.log(line));
  const pending = new Set<Promise<unknown>>();
  const known = () => [...options.hosts.keys()].sort().join(", ") || "none";

  function functionArn(name: string): string {
    return `arn:aws:lambda:${options.region}:${options.accountId}:function:${name}`;
  }

  function resolveHost(encodedReference: string, qualifier: string | null): FunctionHost {
    let reference: string;
    try {
      reference = decodeURIComponent(encodedReference);
    } catch {
      reference = encodedReference;
    }
    const parsed = parseFunctionReference(reference);
    const name = parsed?.name ?? reference;
    const host =
      options.hosts.get(name) ??
      (name === DEFAULT_FUNCTION_ALIAS ? options.hosts.get(options.defaultFunction) : undefined);
    if (!host) {
      return fail(
        404,
        "ResourceNotFoundException",
        `Function not found: ${functionArn(name)}. Functions in this local stack: ${known()}.`,
      );
    }
    for (const wanted of [parsed?.qualifier, qualifier ?? undefined]) {
      if (wanted !== undefined && wanted !== "$LATEST") {
        fail(
          404,
          "ResourceNotFoundException",
          `Function not found: ${functionArn(host.definition.name)}:${wanted}. The local stack runs the ` +
            "working copy only: use the qualifier $LATEST or none.",
        );
      }
    }
    return host;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<string> {
    const url = new URL(request.url ?? "/", "http://localhost");
    const streaming = STREAMING_PATH.exec(url.pathname);
    const match = INVOKE_PATH.exec(url.pathname) ?? streaming;
    if (!match || request.method !== "POST") {
      // Read and drop the body so the client sees the answer, not a reset.
      await readBody(request, 0);
      return fail(
        404,
        "UnknownOperationException",
        `No operation at ${request.method} ${url.pathname}. This endpoint answers ` +
          "POST /2015-03-31/functions/{FunctionName}/invocations (the function name, an ARN, or 'function' " +
          `for ${options.defaultFunction}).`,
      );
    }
    if (streaming) {
      await readBody(request, 0);
      return fail(
        501,
        "UnsupportedOperationException",
        "InvokeWithResponseStream is not supported by the local stack yet: use Invoke " +
          "(POST /2015-03-31/functions/{FunctionName}/invocations), which returns the buffered response.",
      );
    }
    const host = resolveHost(match[1] ?? "", url.searchParams.get("Qualifier"));
    const invocationType = enumHeader<InvocationType>(
      request,
      "x-amz-invocation-type",
      "invocationType",
      INVOCATION_TYPES,
      "RequestResponse",
    );
    const logType = enumHeader(request, "x-amz-log-type", "logType", LOG_TYPES, "None");
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
    const invokeRequest: InvokeRequest = {
      payload,
      ...(clientContext === undefined ? {} : { clientContext }),
      ...(traceId === undefined ? {} : { traceId }),
      ...(tenantId === undefined ? {} : { tenantId }),
      ...(logType === "Tail" && invocationType === "RequestResponse" ? { captureLogs: true } : {}),
    };
    const name = host.definition.name;

    if (invocationType === "DryRun") {
      response.writeHead(204, { "x-amzn-requestid": randomUUID() });
      response.end();
      return `${name} DryRun 204`;
    }
    if (invocationType === "Event") {
      const requestId = randomUUID();
      const background = host
        .invoke(invokeRequest)
        .then((outcome) => {
          if (outcome.kind === "throttled")
            log(`[invoke] ${name} Event ${requestId} throttled: ${outcome.message}`);
        })
        .catch((error: unknown) => log(`[invoke] ${name} Event ${requestId} failed: ${String(error)}`))
        .finally(() => pending.delete(background));
      pending.add(background);
      response.writeHead(202, { "x-amzn-requestid": requestId, "content-length": 0 });
      response.end();
      return `${name} Event 202`;
    }

    const outcome = await host.invoke(invokeRequest);
    if (outcome.kind === "throttled") {
      return fail(429, "TooManyRequestsException", outcome.message, {
        Reason: "ConcurrentInvocationLimitExceeded",
      });
    }
    response.writeHead(200, successHeaders(outcome, logType === "Tail"));
    response.end(outcome.payload);
    const error =
      outcome.functionError === undefined ? "" : ` ${outcome.functionError} ${outcome.errorType ?? ""}`;
    return `${name} 200${error}`;
  }

  const listener: RequestListener = (request, response) => {
    const started = performance.now();
    handle(request, response)
      .catch((error: unknown) => {
        const failure =
          error instanceof InvokeApiError
            ? error.response
            : apiError(500, "ServiceException", `The local stack failed: ${String(error)}`);
        if (!response.headersSent) sendError(response, failure, randomUUID());
        else response.destroy();
        return `${failure.statusCode} ${failure.errorType}`;
      })
      .then((summary) => {
        if (request.url !== undefined) {
          log(`[invoke] ${summary} ${(performance.now() - started).toFixed(1)} ms`);
        }
      });
  };

  return {
    listener,
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
