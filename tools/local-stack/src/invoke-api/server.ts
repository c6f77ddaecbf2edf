/**
 * The local Invoke API (what `aws lambda invoke`, the AWS SDK's InvokeCommand and the write-up's curl call talk
 * to). It follows real Lambda rather than the Runtime Interface Emulator: every function by name or ARN, the
 * `/functions/function/` alias for the default function, function errors flagged with `X-Amz-Function-Error`,
 * Event and DryRun invocation types, log tails, payload limits, error bodies the SDK turns into its exception
 * classes, and InvokeWithResponseStream (which the emulator lacks).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, OutgoingHttpHeaders, RequestListener, ServerResponse } from "node:http";
import type { FunctionHost, InvokeOutcome, InvokeRequest } from "../contract.js";
import { readBody } from "../http-api/body.js";
import { guardRequest } from "../http-api/guard.js";
import { apiError, fail, InvokeApiError, sendError } from "./errors.js";
import {
  invalidFunctionNameMessage,
  invalidQualifierMessage,
  parseFunctionReference,
  parseQualifier,
} from "./function-name.js";
import { readInvoke } from "./request.js";
import { sendStreamingResponse } from "./streaming.js";

/** The name the Runtime Interface Emulator serves its one function under; here it means the default function. */
export const DEFAULT_FUNCTION_ALIAS = "function";

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

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const STREAMING_PATH = /^\/2021-11-15\/functions\/([^/]+)\/response-streaming-invocations\/?$/;

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

  function resolveHost(encodedReference: string, rawQualifier: string | null): FunctionHost {
    let reference: string;
    try {
      reference = decodeURIComponent(encodedReference);
    } catch {
      // Not valid percent-encoding: Lambda's pattern refuses the raw text (it has a "%") all the same.
      reference = encodedReference;
    }
    const parsed = parseFunctionReference(reference);
    if (parsed === undefined) return fail(400, "ValidationException", invalidFunctionNameMessage(reference));
    const query = parseQualifier(rawQualifier);
    if (!query.ok) return fail(400, "ValidationException", invalidQualifierMessage(rawQualifier ?? ""));
    const elsewhere =
      (parsed.accountId !== undefined && parsed.accountId !== options.accountId) ||
      (parsed.region !== undefined && parsed.region !== options.region);
    if (elsewhere) {
      return fail(
        404,
        "ResourceNotFoundException",
        `Function not found: ${reference}. The local stack's functions are in account ${options.accountId} in ` +
          `${options.region}: use the function's name, or an ARN with that account and region.`,
      );
    }
    const { name } = parsed;
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
    for (const wanted of [parsed.qualifier, query.qualifier]) {
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

  function runInBackground(host: FunctionHost, request: InvokeRequest): string {
    const requestId = randomUUID();
    const name = host.definition.name;
    const background = host
      .invoke(request)
      .then((outcome) => {
        if (outcome.kind === "throttled")
          log(`[invoke] ${name} Event ${requestId} throttled: ${outcome.message}`);
      })
      .catch((error: unknown) => log(`[invoke] ${name} Event ${requestId} failed: ${String(error)}`))
      .finally(() => pending.delete(background));
    pending.add(background);
    return requestId;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<string> {
    const url = new URL(request.url ?? "/", "http://localhost");
    const streamingMatch = STREAMING_PATH.exec(url.pathname);
    const match = INVOKE_PATH.exec(url.pathname) ?? streamingMatch;
    if (!match || request.method !== "POST") {
      // Read and drop the body so the client sees the answer, not a reset.
      await readBody(request, 0);
      return fail(
        404,
        "UnknownOperationException",
        `No operation at ${request.method} ${url.pathname}. This endpoint answers ` +
          "POST /2015-03-31/functions/{FunctionName}/invocations (the function name, an ARN, or 'function' " +
          `for ${options.defaultFunction}) and POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations.`,
      );
    }
    const streaming = streamingMatch !== null;
    const host = resolveHost(match[1] ?? "", url.searchParams.get("Qualifier"));
    const { invocationType, tail, invokeRequest } = await readInvoke(request, streaming);
    const name = `${host.definition.name}${streaming ? " (stream)" : ""}`;

    if (invocationType === "DryRun") {
      response.writeHead(204, { "x-amzn-requestid": randomUUID() });
      response.end();
      return `${name} DryRun 204`;
    }
    if (invocationType === "Event") {
      response.writeHead(202, {
        "x-amzn-requestid": runInBackground(host, invokeRequest),
        "content-length": 0,
      });
      response.end();
      return `${name} Event 202`;
    }
    const outcome = await host.invoke(invokeRequest);
    if (outcome.kind === "throttled") {
      return fail(429, "TooManyRequestsException", outcome.message, {
        Reason: "ConcurrentInvocationLimitExceeded",
      });
    }
    if (streaming) {
      const errorType = await sendStreamingResponse(response, outcome, tail);
      return `${name} 200${errorType === undefined ? "" : ` ${errorType}`}`;
    }
    response.writeHead(200, successHeaders(outcome, tail));
    response.end(outcome.payload);
    const error =
      outcome.functionError === undefined ? "" : ` ${outcome.functionError} ${outcome.errorType ?? ""}`;
    return `${name} 200${error}`;
  }

  const listener: RequestListener = (request, response) => {
    const started = performance.now();
    const refuse = (error: InvokeApiError) => {
      // Drop whatever of the body is still unread, so the error reaches the caller.
      request.resume();
      sendError(response, error.response, randomUUID());
      return `${error.response.statusCode} ${error.response.errorType}`;
    };
    void guardRequest(
      response,
      () =>
        handle(request, response).catch((error: unknown) => {
          if (error instanceof InvokeApiError && !response.headersSent) return refuse(error);
          throw error;
        }),
      (failed, error) => {
        const failure = apiError(500, "ServiceException", `The local stack failed: ${String(error)}`);
        sendError(failed, failure, randomUUID());
        return `${failure.statusCode} ${failure.errorType}`;
      },
    ).then((summary) => log(`[invoke] ${summary} ${(performance.now() - started).toFixed(1)} ms`));
  };

  return {
    listener,
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
