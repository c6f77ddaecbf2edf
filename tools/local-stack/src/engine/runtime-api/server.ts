/**
 * One Lambda Runtime API (`/2018-06-01`) endpoint, served to one runtime process on 127.0.0.1. It implements
 * RAPID's state machine, status codes and bodies (see the behaviour reference, section 1) and knows nothing about
 * processes or timeouts: the instance that owns it listens to what the runtime does and hands it invocations.
 */
import { once } from "node:events";
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  validateHeaderValue,
} from "node:http";
import type { AddressInfo } from "node:net";
import { PassThrough, type Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { BODIES, MAX_RUNTIME_PAYLOAD_BYTES, type RuntimeStateName } from "./bodies.js";
import { describeRuntimeError, type RuntimeError } from "./errors.js";

export type { RuntimeError } from "./errors.js";

/** An event handed to the runtime by `GET /runtime/invocation/next`. */
export interface RuntimeInvocation {
  readonly requestId: string;
  readonly payload: Buffer;
  /** Unix epoch milliseconds. */
  readonly deadlineMs: number;
  readonly invokedFunctionArn: string;
  readonly traceId?: string;
  readonly clientContext?: string;
  readonly cognitoIdentity?: string;
  readonly tenantId?: string;
  /** Defaults to application/json. */
  readonly contentType?: string;
  /** The largest streamed response to accept; streamed responses are capped like buffered ones when omitted. */
  readonly streamLimitBytes?: number;
}

export interface BufferedResponse {
  readonly kind: "buffered";
  readonly payload: Buffer;
  readonly contentType: string;
}

/** How a streamed response (`Lambda-Runtime-Function-Response-Mode: streaming`) ended. */
export interface StreamEnd {
  readonly bytes: number;
  /** The error the runtime reported in the `Lambda-Runtime-Function-Error-Type/Body` trailers. */
  readonly error?: RuntimeError;
  /** The body went over the limit: the runtime got a 413 and the rest was discarded. */
  readonly tooLarge: boolean;
  /** The connection closed before the body ended (the runtime died mid-stream). */
  readonly aborted: boolean;
}

export interface StreamedResponse {
  readonly kind: "streamed";
  readonly contentType: string;
  /** The body as it arrives. Ends when the runtime's request ends (or is cut off). */
  readonly body: Readable;
  readonly ended: Promise<StreamEnd>;
}

export type RuntimeResponse = BufferedResponse | StreamedResponse;

/** What the runtime did. Every callback runs after the runtime's request was answered or parked. */
export interface RuntimeApiListener {
  /** The runtime called `/next` and waits for work: the first time, its init is done. */
  waiting(): void;
  initError(error: RuntimeError): void;
  response(requestId: string, response: RuntimeResponse): void;
  error(requestId: string, error: RuntimeError): void;
  /** The buffered response or error body was over 6 MiB + 100 bytes; the runtime got a 413. */
  responseTooLarge(requestId: string, bytes: number): void;
}

const PREFIX = "/2018-06-01";
const INVOCATION_PATH = /^\/2018-06-01\/runtime\/invocation\/([^/]*)\/(response|error)$/;
const JSON_TYPE = "application/json";

export class RuntimeApiServer {
  readonly #listener: RuntimeApiListener;
  readonly #server: Server;
  #state: RuntimeStateName = "Started";
  /** The invocation the runtime is working on (or last worked on), by request id. */
  #current: RuntimeInvocation | undefined;
  /** An invocation handed over before the runtime asked for it. */
  #pending: RuntimeInvocation | undefined;
  /** A `/next` request waiting for an invocation. */
  #parked: ServerResponse | undefined;
  #address: string | undefined;

  constructor(listener: RuntimeApiListener) {
    this.#listener = listener;
    this.#server = createServer({ keepAliveTimeout: 0, requestTimeout: 0, headersTimeout: 0 }, (req, res) => {
      this.#route(req, res).catch((error: unknown) => {
        if (!res.headersSent) send(res, 500, BODIES.internalError);
        else res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }

  /** Starts listening on 127.0.0.1 (ephemeral port) and returns `host:port` for `AWS_LAMBDA_RUNTIME_API`. */
  async listen(host = "127.0.0.1"): Promise<string> {
    this.#server.listen(0, host);
    await once(this.#server, "listening");
    const { port } = this.#server.address() as AddressInfo;
    this.#address = `${host}:${port}`;
    return this.#address;
  }

  get address(): string {
    if (this.#address === undefined)
      throw new Error("The Runtime API is not listening yet: call listen() first.");
    return this.#address;
  }

  get state(): RuntimeStateName {
    return this.#state;
  }

  /**
   * Hands `invocation` to the runtime: at once if it is parked in `/next`, otherwise on its next `/next`.
   * Only valid while the runtime is not working on another invocation.
   */
  deliver(invocation: RuntimeInvocation): void {
    if (this.#state === "InitError")
      throw new Error("The runtime reported an init error: it cannot take invokes.");
    if (this.#state === "Running" || this.#pending !== undefined) {
      throw new Error(`The runtime is busy with ${this.#current?.requestId ?? this.#pending?.requestId}.`);
    }
    // Checked before anything changes: an invocation that cannot be rendered fails here, not in the runtime's /next.
    invocationHeaders(invocation);
    this.#pending = invocation;
    const parked = this.#parked;
    if (parked !== undefined) {
      this.#parked = undefined;
      this.#dispatch(parked);
    }
  }

  async close(): Promise<void> {
    this.#parked?.destroy();
    this.#parked = undefined;
    this.#server.closeAllConnections();
    if (!this.#server.listening) return;
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const method = req.method ?? "GET";
    if (method === "GET" && path === `${PREFIX}/runtime/invocation/next`) return this.#next(req, res);
    if (method === "GET" && path === `${PREFIX}/ping`) return sendText(res, 200, "pong");
    if (method === "POST" && path === `${PREFIX}/runtime/init/error`) return this.#initError(req, res);
    const match = method === "POST" ? INVOCATION_PATH.exec(path) : null;
    if (match) {
      const requestId = safeDecode(match[1] ?? "");
      return match[2] === "response" ? this.#response(requestId, req, res) : this.#error(requestId, req, res);
    }
    if (method === "PUT" && path === "/2020-08-15/logs")
      return drainThen(req, res, 202, BODIES.logsNotSupported);
    if (method === "PUT" && path === "/2022-07-01/telemetry") {
      return drainThen(req, res, 202, BODIES.telemetryNotSupported);
    }
    await discard(req);
    sendText(res, 404, "404 page not found\n");
  }

  #next(req: IncomingMessage, res: ServerResponse): void {
    const state = this.#state;
    if (state === "InitError" || state === "InvocationResponse" || state === "InvocationErrorResponse") {
      send(res, 403, BODIES.invalidTransition(state, "Ready"));
      return;
    }
    if (state === "Running" && this.#current !== undefined) {
      // Asking again without replying is allowed: the runtime gets the same event again.
      renderInvocation(res, this.#current);
      return;
    }
    if (state === "RuntimeResponseSentState") this.#state = "Ready";
    this.#parked?.destroy();
    this.#parked = res;
    res.on("close", () => {
      if (this.#parked === res) this.#parked = undefined;
    });
    req.resume();
    this.#listener.waiting();
    if (this.#pending !== undefined && this.#parked === res) {
      this.#parked = undefined;
      this.#dispatch(res);
    }
  }

  #dispatch(res: ServerResponse): void {
    const invocation = this.#pending;
    if (invocation === undefined) return;
    this.#pending = undefined;
    this.#current = invocation;
    this.#state = "Running";
    renderInvocation(res, invocation);
  }

  /** The 400 / 403 checks shared by `/response` and `/error`, in RAPID's order; the invocation when they pass. */
  #checkReply(
    requestId: string,
    target: RuntimeStateName,
    res: ServerResponse,
  ): RuntimeInvocation | undefined {
    const current = this.#current;
    if (requestId === "" || current === undefined || requestId !== current.requestId) {
      send(res, 400, BODIES.invalidRequestId);
      return undefined;
    }
    if (this.#state !== "Running") {
      send(res, 403, BODIES.invalidTransition(this.#state, target));
      return undefined;
    }
    return current;
  }

  async #response(requestId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const invocation = this.#checkReply(requestId, "InvocationResponse", res);
    if (invocation === undefined) return discard(req);
    const mode = header(req, "lambda-runtime-function-response-mode");
    if (mode !== undefined && mode !== "streaming") {
      // RAPID answers 400 but has already moved to InvocationResponse: the runtime is stuck until the timeout.
      this.#state = "InvocationResponse";
      await discard(req);
      send(res, 400, BODIES.invalidResponseMode);
      return;
    }
    this.#state = "InvocationResponse";
    const contentType = header(req, "content-type") ?? JSON_TYPE;
    if (mode === "streaming") {
      this.#state = "RuntimeResponseSentState";
      await this.#stream(
        requestId,
        invocation.streamLimitBytes ?? MAX_RUNTIME_PAYLOAD_BYTES,
        contentType,
        req,
        res,
      );
      return;
    }
    const body = await readLimited(req, MAX_RUNTIME_PAYLOAD_BYTES);
    this.#state = "RuntimeResponseSentState";
    if (body.overLimit) {
      send(res, 413, BODIES.tooLarge);
      this.#listener.responseTooLarge(requestId, body.bytes);
      return;
    }
    send(res, 202, BODIES.accepted);
    this.#listener.response(requestId, { kind: "buffered", payload: body.buffer, contentType });
  }

  async #stream(
    requestId: string,
    limit: number,
    contentType: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const body = new PassThrough();
    let resolveEnded: (end: StreamEnd) => void = () => {};
    const ended = new Promise<StreamEnd>((resolve) => {
      resolveEnded = resolve;
    });
    this.#listener.response(requestId, { kind: "streamed", contentType, body, ended });
    let bytes = 0;
    let tooLarge = false;
    let complete = false;
    // A reader that gives up (destroys the body) must not stop the runtime: the rest is counted and dropped.
    body.on("error", () => {});
    req.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (tooLarge || body.destroyed) return;
      if (bytes > limit) {
        tooLarge = true;
        body.end();
        return;
      }
      if (!body.write(chunk)) {
        req.pause();
        body.once("drain", () => req.resume());
      }
    });
    body.on("close", () => req.resume());
    req.on("end", () => {
      complete = true;
    });
    await new Promise<void>((resolve) => req.once("close", resolve));
    if (!complete) {
      body.end();
      resolveEnded({ bytes, tooLarge, aborted: true });
      return;
    }
    const errorType = req.trailers["lambda-runtime-function-error-type"];
    const errorBody = req.trailers["lambda-runtime-function-error-body"];
    const error =
      errorType !== undefined || errorBody !== undefined
        ? describeRuntimeError(
            errorType,
            errorBody === undefined ? Buffer.alloc(0) : Buffer.from(errorBody, "base64"),
          )
        : undefined;
    if (tooLarge) send(res, 413, BODIES.tooLarge);
    else send(res, 202, BODIES.accepted);
    body.end();
    resolveEnded({ bytes, tooLarge, aborted: false, ...(error ? { error } : {}) });
  }

  async #error(requestId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.#checkReply(requestId, "InvocationErrorResponse", res) === undefined) return discard(req);
    this.#state = "InvocationErrorResponse";
    const body = await readLimited(req, MAX_RUNTIME_PAYLOAD_BYTES);
    this.#state = "RuntimeResponseSentState";
    if (body.overLimit) {
      send(res, 413, BODIES.tooLarge);
      this.#listener.responseTooLarge(requestId, body.bytes);
      return;
    }
    send(res, 202, BODIES.accepted);
    this.#listener.error(
      requestId,
      describeRuntimeError(
        header(req, "lambda-runtime-function-error-type"),
        body.buffer,
        header(req, "content-type"),
      ),
    );
  }

  async #initError(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.#state !== "Started") {
      await discard(req);
      send(res, 403, BODIES.invalidTransition(this.#state, "InitError"));
      return;
    }
    this.#state = "InitError";
    const body = await readLimited(req, MAX_RUNTIME_PAYLOAD_BYTES);
    send(res, 202, BODIES.accepted);
    this.#listener.initError(
      describeRuntimeError(
        header(req, "lambda-runtime-function-error-type"),
        body.buffer,
        header(req, "content-type"),
      ),
    );
  }
}

/**
 * The client context as a header can carry it, for every runtime client alike. Header values are bytes, which
 * aws-lambda-ric's native client reads as UTF-8 and Node's http client (the RIC's alternative client, the fallback
 * runner) as Latin-1, and CR, LF and DEL cannot be sent at all. So characters from DEL up are written as JSON
 * `\uXXXX` escapes and line breaks as spaces: valid JSON has them only inside strings (line breaks only between
 * values), so every client parses exactly the object the caller sent. Lambda sends the raw UTF-8 bytes instead.
 */
export function headerSafeJson(json: string): string {
  return json
    .replace(/[\r\n]/g, " ")
    .replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

function quote(text: string): string {
  const quoted = JSON.stringify(text);
  return quoted.length > 80 ? `${quoted.slice(0, 77)}..."` : quoted;
}

/** The headers `/next` sends with an invocation; throws, naming the header, when one cannot be sent. */
function invocationHeaders(invocation: RuntimeInvocation): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Type": invocation.contentType ?? JSON_TYPE,
    "Lambda-Runtime-Aws-Request-Id": invocation.requestId,
    "Lambda-Runtime-Deadline-Ms": String(invocation.deadlineMs),
    "Lambda-Runtime-Invoked-Function-Arn": invocation.invokedFunctionArn,
  };
  // Optional headers are only sent when they have a value, as RAPID does.
  const optional: [string, string | undefined][] = [
    ["Lambda-Runtime-Trace-Id", invocation.traceId],
    ["Lambda-Runtime-Client-Context", invocation.clientContext && headerSafeJson(invocation.clientContext)],
    ["Lambda-Runtime-Cognito-Identity", invocation.cognitoIdentity],
    ["Lambda-Runtime-Aws-Tenant-Id", invocation.tenantId],
  ];
  for (const [name, value] of optional) if (value) headers[name] = value;
  for (const [name, value] of Object.entries(headers)) {
    try {
      validateHeaderValue(name, value);
    } catch {
      throw new Error(
        `the ${name} header cannot carry ${quote(value)} (header values are Latin-1 text without control characters)`,
      );
    }
  }
  headers["Content-Length"] = String(invocation.payload.length);
  return headers;
}

function renderInvocation(res: ServerResponse, invocation: RuntimeInvocation): void {
  res.writeHead(200, invocationHeaders(invocation));
  res.end(invocation.payload);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "Content-Type": JSON_TYPE, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

async function drainThen(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string,
): Promise<void> {
  await discard(req);
  send(res, status, body);
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

interface LimitedBody {
  readonly buffer: Buffer;
  /** Every byte received, including the ones past the limit. */
  readonly bytes: number;
  readonly overLimit: boolean;
}

/** Reads a whole body (Content-Length or chunked), keeping at most `limit` bytes and counting the rest. */
async function readLimited(req: IncomingMessage, limit: number): Promise<LimitedBody> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes <= limit) chunks.push(chunk);
  }
  const overLimit = bytes > limit;
  return { buffer: overLimit ? Buffer.alloc(0) : Buffer.concat(chunks), bytes, overLimit };
}

async function discard(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return;
  req.resume();
  await finished(req).catch(() => undefined);
}
