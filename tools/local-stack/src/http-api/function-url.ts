/**
 * A local Lambda Function URL: one origin (port) per function whose config has `functionUrl`, every path and
 * method going to that function with a payload 2.0 event (`routeKey` "$default"). BUFFERED answers are mapped
 * like the HTTP API's; RESPONSE_STREAM sends the function's bytes as it writes them, reading the status, headers
 * and cookies from the HTTP integration prelude that `awslambda.HttpResponseStream.from()` writes.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Readable } from "node:stream";
import { type FunctionHost, type InvokeOutcome, LIMITS } from "../contract.js";
import { readBody, sendGatewayResponse, writeChunk } from "./body.js";
import { buildHttpApiEvent, newGatewayRequestId } from "./event.js";
import { type GatewayResponse, mapFunctionResult } from "./response.js";

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

interface Prelude {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[]>;
}

/** Reads the HTTP integration prelude off the front of the stream; the rest is what follows the 8 NULs. */
async function readPrelude(stream: Readable): Promise<{ prelude: Prelude; rest: Buffer }> {
  let buffered = Buffer.alloc(0);
  // Keep the stream open when the loop returns: the body follows the prelude.
  for await (const chunk of stream.iterator({ destroyOnReturn: false })) {
    buffered = Buffer.concat([buffered, chunk as Buffer]);
    const end = buffered.indexOf(PRELUDE_END);
    if (end !== -1) {
      const parsed = JSON.parse(buffered.subarray(0, end).toString("utf8")) as {
        statusCode?: number;
        headers?: Record<string, string>;
        cookies?: string[];
      };
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(parsed.headers ?? {}))
        headers[name.toLowerCase()] = String(value);
      if (parsed.cookies && parsed.cookies.length > 0) headers["set-cookie"] = parsed.cookies;
      return { prelude: { statusCode: parsed.statusCode ?? 200, headers }, rest: buffered.subarray(end + 8) };
    }
    if (buffered.length > PRELUDE_LIMIT) break;
  }
  throw new Error("the stream declared an HTTP integration prelude but did not end it with 8 NUL bytes");
}

async function sendStream(
  response: ServerResponse,
  outcome: ResponseOutcome,
  requestId: string,
): Promise<number> {
  const stream = outcome.stream as Readable;
  let statusCode = 200;
  let headers: Record<string, string | string[]> = { "content-type": outcome.contentType };
  if (outcome.contentType === HTTP_INTEGRATION_CONTENT_TYPE) {
    const { prelude, rest } = await readPrelude(stream);
    statusCode = prelude.statusCode;
    headers = prelude.headers;
    response.writeHead(statusCode, { ...headers, "x-amzn-requestid": requestId });
    if (rest.length > 0) await writeChunk(response, rest);
  } else {
    response.writeHead(statusCode, { ...headers, "x-amzn-requestid": requestId });
  }
  for await (const chunk of stream) {
    if (!(await writeChunk(response, chunk as Buffer))) {
      // The caller walked away: stop reading; the engine lets the function finish on its own.
      stream.destroy();
      break;
    }
  }
  const completion = await outcome.streamCompletion;
  // A function that fails mid-stream cuts the response short, as Lambda does: the client sees a truncated body.
  if (completion?.errorType !== undefined) response.destroy();
  else response.end();
  return statusCode;
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
  if (outcome.stream !== undefined) return String(await sendStream(response, outcome, requestId));
  const result = mapFunctionResult(outcome.payload, outcome.functionError !== undefined);
  // Function URLs answer a failed or unusable invoke with 502, where the HTTP API answers 500.
  const mapped =
    result.problem === undefined
      ? result
      : { ...message(502, "Internal Server Error"), problem: result.problem };
  sendBuffered(response, mapped, requestId);
  return `${mapped.statusCode}${mapped.problem === undefined ? "" : ` (${mapped.problem})`}`;
}

/** The request listener for one function's URL. */
export function createFunctionUrlListener(options: FunctionUrlOptions): RequestListener {
  const log = options.log ?? ((line: string) => console.log(line));
  const name = options.host.definition.name;
  return (request, response) => {
    const started = performance.now();
    const requestId = newGatewayRequestId();
    answer(request, response, requestId, options)
      .catch((error: unknown) => {
        if (!response.headersSent) sendBuffered(response, message(502, "Internal Server Error"), requestId);
        else response.destroy();
        return `502 (${error instanceof Error ? error.message : String(error)})`;
      })
      .then((summary) => {
        const elapsed = (performance.now() - started).toFixed(1);
        log(`[url] ${request.method} ${request.url} -> ${name} ${summary} ${elapsed} ms`);
      });
  };
}
