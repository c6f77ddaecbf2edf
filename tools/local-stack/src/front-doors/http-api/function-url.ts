/**
 * A local Lambda Function URL: one origin (port) per function whose config has `functionUrl`, every path and
 * method going to that function with a payload 2.0 event (`routeKey` "$default"). BUFFERED answers are mapped
 * like the HTTP API's; RESPONSE_STREAM sends the function's bytes as it writes them, reading the status, headers
 * and cookies from the HTTP integration prelude that `awslambda.HttpResponseStream.from()` writes.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { type FunctionHost, type InvokeOutcome, LIMITS } from "../../contract.js";
import { readBody } from "../../http/read-body.js";
import { buildHttpApiEvent, newGatewayRequestId } from "./event.js";
import { guardRequest } from "./guard.js";
import { type GatewayResponse, mapFunctionResult, type ResponseHead, responseHead } from "./response.js";
import { headerObject, sendGatewayResponse, writeChunk } from "./write-response.js";

/** The content type of a stream that starts with a JSON prelude, then 8 NUL bytes, then the body. */
export const HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
const PRELUDE_END = Buffer.alloc(8);
/** A prelude larger than this is not a prelude: the stream is passed on as it is. */
const PRELUDE_LIMIT = 64 * 1024;

export interface FunctionUrlOptions {
  readonly host: FunctionHost;
  readonly accountId: string;
  readonly log?: (line: string) => void;
}

type ResponseOutcome = Extract<InvokeOutcome, { kind: "response" }>;

function sendBuffered(response: ServerResponse, result: GatewayResponse, requestId: string): void {
  sendGatewayResponse(response, result, "x-amzn-requestid", requestId);
}

function message(statusCode: number, text: string): GatewayResponse {
  return {
    statusCode,
    headers: [["content-type", "application/json"]],
    body: Buffer.from(JSON.stringify({ message: text })),
  };
}

/** The front of a stream with an HTTP integration prelude: the response head it asks for, or why it is unusable. */
type PreludeRead =
  | { readonly ok: true; readonly head: Extract<ResponseHead, { ok: true }>; readonly rest: Buffer }
  | { readonly ok: false; readonly problem: string };

/** Reads the HTTP integration prelude off the front of the stream; the rest is what follows the 8 NULs. */
async function readPrelude(stream: Readable): Promise<PreludeRead> {
  let buffered = Buffer.alloc(0);
  // Keep the stream open when the loop returns: the body follows the prelude.
  for await (const chunk of stream.iterator({ destroyOnReturn: false })) {
    buffered = Buffer.concat([buffered, chunk as Buffer]);
    const end = buffered.indexOf(PRELUDE_END);
    if (end !== -1) {
      let prelude: unknown;
      try {
        prelude = JSON.parse(buffered.subarray(0, end).toString("utf8"));
      } catch (error) {
        return {
          ok: false,
          problem: `the HTTP integration prelude is not JSON (${(error as Error).message})`,
        };
      }
      if (typeof prelude !== "object" || prelude === null || Array.isArray(prelude)) {
        return { ok: false, problem: "the HTTP integration prelude is not a JSON object" };
      }
      const { statusCode = 200, headers, cookies } = prelude as Record<string, unknown>;
      const head = responseHead(statusCode, headers, cookies);
      if (!head.ok) return { ok: false, problem: `the HTTP integration prelude: ${head.problem}` };
      return { ok: true, head, rest: buffered.subarray(end + 8) };
    }
    if (buffered.length > PRELUDE_LIMIT) break;
  }
  return {
    ok: false,
    problem: "the stream declared an HTTP integration prelude but did not end it with 8 NUL bytes",
  };
}

async function sendStream(
  response: ServerResponse,
  outcome: ResponseOutcome,
  requestId: string,
): Promise<string> {
  const stream = outcome.stream as Readable;
  try {
    let statusCode = 200;
    let headers: Record<string, string | string[]> = { "content-type": outcome.contentType };
    let first: Buffer = Buffer.alloc(0);
    if (outcome.contentType === HTTP_INTEGRATION_CONTENT_TYPE) {
      const read = await readPrelude(stream);
      if (!read.ok) {
        // Stop reading; the engine lets the function finish on its own.
        stream.destroy();
        return sendFailure(response, read.problem, requestId);
      }
      statusCode = read.head.statusCode;
      headers = headerObject(read.head.headers);
      first = read.rest;
    }
    // The head goes out with the first byte of the body, so a function that fails before writing any still gets
    // an answer: a 502, as for a buffered function.
    let started = false;
    const write = (chunk: Buffer) => {
      if (!started) response.writeHead(statusCode, { ...headers, "x-amzn-requestid": requestId });
      started = true;
      return writeChunk(response, chunk);
    };
    if (first.length > 0) await write(first);
    for await (const chunk of stream) {
      if (!(await write(chunk as Buffer))) {
        // The caller walked away: stop reading; the engine lets the function finish on its own.
        stream.destroy();
        break;
      }
    }
    const completion = await outcome.streamCompletion;
    if (completion?.errorType !== undefined) {
      if (!started) {
        const details = completion.errorPayload?.toString("utf8").slice(0, 500) ?? completion.errorType;
        return sendFailure(response, `the function failed before streaming anything: ${details}`, requestId);
      }
      // A function that fails mid-stream cuts the response short, as Lambda does: the client sees a truncated body.
      response.destroy();
      return `${statusCode} (cut short: the function failed mid-stream with ${completion.errorType})`;
    }
    if (!started) response.writeHead(statusCode, { ...headers, "x-amzn-requestid": requestId });
    response.end();
    return String(statusCode);
  } catch (error) {
    stream.destroy();
    throw error;
  }
}

/** A failed or unusable invoke: 502, where the HTTP API answers 500. */
function sendFailure(response: ServerResponse, problem: string, requestId: string): string {
  sendBuffered(response, message(502, "Internal Server Error"), requestId);
  return `502 (${problem})`;
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
  options: FunctionUrlOptions,
): Promise<string> {
  const { host } = options;
  const url = host.definition.functionUrl;
  const { body, tooLarge } = await readBody(request, LIMITS.requestBytes);
  if (tooLarge) {
    sendBuffered(response, message(413, "Request Entity Too Large"), requestId);
    return "413";
  }
  const event = buildHttpApiEvent(
    {
      method: request.method ?? "GET",
      url: request.url ?? "/",
      protocol: `HTTP/${request.httpVersion}`,
      rawHeaders: request.rawHeaders,
      sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
      body,
    },
    {
      routeKey: "$default",
      pathParameters: {},
      requestId,
      now: new Date(),
      accountId: url?.authType === "NONE" ? "anonymous" : options.accountId,
      apiId: host.definition.name,
    },
  );
  const payload = Buffer.from(JSON.stringify(event));
  if (payload.length > LIMITS.requestBytes) {
    sendBuffered(response, message(413, "Request Entity Too Large"), requestId);
    return "413 (event over 6 MB)";
  }
  const streaming = url?.invokeMode === "RESPONSE_STREAM";
  const outcome = await host.invoke({
    payload,
    traceId: event.headers["x-amzn-trace-id"],
    acceptStream: streaming,
  });
  if (outcome.kind === "throttled") {
    sendBuffered(response, message(429, "Rate Exceeded."), requestId);
    return `429 (${outcome.message})`;
  }
  if (outcome.stream !== undefined) return sendStream(response, outcome, requestId);
  const result = mapFunctionResult(outcome.payload, outcome.functionError !== undefined);
  if (result.problem !== undefined) return sendFailure(response, result.problem, requestId);
  sendBuffered(response, result, requestId);
  return String(result.statusCode);
}

/** The request listener for one function's URL. */
export function createFunctionUrlListener(options: FunctionUrlOptions): RequestListener {
  const log = options.log ?? ((line: string) => console.log(line));
  const name = options.host.definition.name;
  return (request, response) => {
    const started = performance.now();
    const requestId = newGatewayRequestId();
    void guardRequest(
      response,
      () => answer(request, response, requestId, options),
      (failed) => {
        sendBuffered(failed, message(502, "Internal Server Error"), requestId);
        return "502";
      },
    ).then((summary) => {
      const elapsed = (performance.now() - started).toFixed(1);
      log(`[url] ${request.method} ${request.url} -> ${name} ${summary} ${elapsed} ms`);
    });
  };
}
