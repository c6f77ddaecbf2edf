/**
 * The local Invoke API (what `aws lambda invoke`, the AWS SDK's InvokeCommand and the write-up's curl call talk
 * to). It follows real Lambda rather than the Runtime Interface Emulator: every function by name or ARN, the
 * `/functions/function/` alias for the default function, function errors flagged with `X-Amz-Function-Error`,
 * Event and DryRun invocation types, log tails, payload limits, error bodies the SDK turns into its exception
 * classes, and InvokeWithResponseStream (which the emulator lacks).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, OutgoingHttpHeaders, RequestListener, ServerResponse } from "node:http";
import type { FunctionHost, InvokeOutcome } from "../../contract.js";
import { DEFAULT_MAX_INSTANCES } from "../../engine/host.js";
import { readBody } from "../../http/read-body.js";
import { guardRequest } from "../http-api/guard.js";
import { DeadLetterStore, defaultDeadLetterDir } from "./dead-letters.js";
import { apiError, fail, InvokeApiError, sendError } from "./errors.js";
import { EventQueue } from "./event-queue.js";
import type { EventQueueSettings } from "./event-queue-settings.js";
import {
  invalidFunctionNameMessage,
  invalidQualifierMessage,
  parseFunctionReference,
  parseQualifier,
} from "./function-name.js";
import { readInvoke } from "./request.js";
import { sendStreamingResponse } from "./streaming.js";

/** The name the Runtime Interface Emulator serves its one function under; here it means the default function. */
const DEFAULT_FUNCTION_ALIAS = "function";

export interface InvokeApiOptions {
  readonly hosts: ReadonlyMap<string, FunctionHost>;
  /** The function `/2015-03-31/functions/function/invocations` invokes. */
  readonly defaultFunction: string;
  /** Region and account that appear in ARNs and messages. */
  readonly region: string;
  readonly accountId: string;
  /** One line per invoke: function, type, status, time. */
  readonly log?: (line: string) => void;
  /** How Event invokes are queued, retried, expired and dead-lettered (./event-queue.ts); all optional. */
  readonly asyncInvoke?: EventQueueSettings;
}

/** The Event invocations a stop dead-lettered (reason `stack-stopped`), per function. */
export interface StoppedEvents {
  readonly total: number;
  /** Function name -> how many, and the dead-letter file they went to (functions with none are left out). */
  readonly byFunction: ReadonlyMap<string, { readonly count: number; readonly file: string }>;
}

export interface InvokeApi {
  readonly listener: RequestListener;
  /** The Event queue of each function, by function name. */
  readonly eventQueues: ReadonlyMap<string, EventQueue>;
  /**
   * Resolves once every Event (asynchronous) invoke accepted so far has finished: run successfully, or written to
   * the dead-letter record after its retries or its age ran out.
   */
  settled(): Promise<void>;
  /**
   * Starts the Event queue of a function just added to `hosts` (dev's live config reload); the caller adds the
   * host to the map it passed.
   */
  addFunction(name: string): void;
  /** Stops a removed function's Event queue, as `close()` does for all of them. */
  removeFunction(name: string): Promise<StoppedEvents>;
  /**
   * Stops the Event queues: events still waiting (or between retries) are written to the dead-letter record with
   * the reason `stack-stopped`; running ones are waited for. Resolves with how many were dead-lettered so.
   */
  close(): Promise<StoppedEvents>;
  /**
   * For a process that must exit now: what `close()` does, plus the running Event invokes written to the dead-letter
   * record at once instead of waited for. Synchronous. Returns every event the stop dead-lettered.
   */
  stopNow(): StoppedEvents;
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

function stoppedEvents(counts: readonly (readonly [EventQueue, number])[]): StoppedEvents {
  const byFunction = new Map<string, { count: number; file: string }>();
  for (const [queue, count] of counts) {
    if (count > 0) byFunction.set(queue.functionName, { count, file: queue.deadLetterFile });
  }
  return { total: counts.reduce((sum, [, count]) => sum + count, 0), byFunction };
}

/** The request target as a URL; one that is no path at all (`//`) reads as `/`, which no operation matches. */
function parseTarget(target: string | undefined): URL {
  try {
    return new URL(target ?? "/", "http://localhost");
  } catch {
    return new URL("http://localhost/");
  }
}

export function createInvokeApi(options: InvokeApiOptions): InvokeApi {
  const log = options.log ?? ((line: string) => console.log(line));
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

  const eventQueues = new Map<string, EventQueue>();
  const stores = new Map<string, DeadLetterStore>();
  const { deadLetterDir, ...queueSettings } = options.asyncInvoke ?? {};
  function startQueue(name: string, host: FunctionHost): void {
    const dir = deadLetterDir ?? defaultDeadLetterDir(host.definition);
    const deadLetters = stores.get(dir) ?? new DeadLetterStore(dir);
    stores.set(dir, deadLetters);
    eventQueues.set(
      name,
      new EventQueue({ concurrency: DEFAULT_MAX_INSTANCES, log, ...queueSettings, host, deadLetters }),
    );
  }
  for (const [name, host] of options.hosts) startQueue(name, host);

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<string> {
    const url = parseTarget(request.url);
    const streamingMatch = STREAMING_PATH.exec(url.pathname);
    const match = INVOKE_PATH.exec(url.pathname) ?? streamingMatch;
    if (!match || request.method !== "POST") {
      // Read and drop the body so the client sees the answer, not a reset.
      await readBody(request, 0);
      return fail(
        404,
        "UnknownOperationException",
        `No operation at ${request.method} ${request.url}. This endpoint answers ` +
          "POST /2015-03-31/functions/{FunctionName}/invocations (the function name, an ARN, or 'function' " +
          `for ${options.defaultFunction}) and POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations.`,
      );
    }
    const streaming = streamingMatch !== null;
    // searchParams is built on first use: not for the usual request, which has no query.
    const qualifier = url.search === "" ? null : url.searchParams.get("Qualifier");
    const host = resolveHost(match[1] ?? "", qualifier);
    const { invocationType, tail, invokeRequest } = await readInvoke(request, streaming);
    const name = `${host.definition.name}${streaming ? " (stream)" : ""}`;

    if (invocationType === "DryRun") {
      response.writeHead(204, { "x-amzn-requestid": randomUUID() });
      response.end();
      return `${name} DryRun 204`;
    }
    if (invocationType === "Event") {
      // Queued, never dropped: the queue runs it when an instance is free, retries it, or dead-letters it. A full
      // queue refuses it here, before the 202.
      const queued = (eventQueues.get(host.definition.name) as EventQueue).submit(invokeRequest);
      if (!queued.accepted) {
        return fail(429, "TooManyRequestsException", queued.message, {
          Reason: "FunctionInvocationRateLimitExceeded",
        });
      }
      response.writeHead(202, { "x-amzn-requestid": queued.requestId, "content-length": 0 });
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
    eventQueues,
    async settled() {
      await Promise.all([...eventQueues.values()].map((queue) => queue.settled()));
    },
    addFunction(name) {
      const host = options.hosts.get(name);
      if (host !== undefined && !eventQueues.has(name)) startQueue(name, host);
    },
    async removeFunction(name) {
      const queue = eventQueues.get(name);
      if (queue === undefined) return stoppedEvents([]);
      eventQueues.delete(name);
      return stoppedEvents([[queue, await queue.close()] as const]);
    },
    async close() {
      return stoppedEvents(
        await Promise.all(
          [...eventQueues.values()].map(async (queue) => [queue, await queue.close()] as const),
        ),
      );
    },
    stopNow() {
      return stoppedEvents([...eventQueues.values()].map((queue) => [queue, queue.stopNow()] as const));
    },
  };
}
