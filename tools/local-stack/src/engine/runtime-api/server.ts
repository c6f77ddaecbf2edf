/**
 * One Lambda Runtime API (`/2018-06-01`) endpoint, served to one runtime process on 127.0.0.1. It implements
 * RAPID's state machine, status codes and bodies (see the behaviour reference, section 1) and knows nothing about
 * processes or timeouts: the instance that owns it listens to what the runtime does and hands it invocations.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Readable } from "node:stream";
import { readBody } from "../../http/read-body.js";
import { BODIES, MAX_RUNTIME_PAYLOAD_BYTES, type RuntimeStateName } from "./bodies.js";
import { describeRuntimeError, type RuntimeError } from "./errors.js";
import { discard, drainThen, header, JSON_TYPE, safeDecode, send, sendText } from "./http.js";
import { type InvocationHeaders, invocationHeaders, renderInvocation } from "./invocation-headers.js";
import { receiveStreamedResponse } from "./streamed-response.js";

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

export class RuntimeApiServer {
  readonly #listener: RuntimeApiListener;
  readonly #server: Server;
  #state: RuntimeStateName = "Started";
  /** The invocation the runtime is working on (or last worked on), by request id. */
  #current: RuntimeInvocation | undefined;
  /** The headers `/next` sends with #current (checked and built once, when it was handed over). */
  #currentHeaders: InvocationHeaders = {};
  /** An invocation handed over before the runtime asked for it. */
  #pending: RuntimeInvocation | undefined;
  #pendingHeaders: InvocationHeaders = {};
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
    this.#pendingHeaders = invocationHeaders(invocation);
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
      return this.#reply(match[2] === "response" ? "response" : "error", requestId, req, res);
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
      renderInvocation(res, this.#current, this.#currentHeaders);
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
    // The deadline as it is when the runtime takes the event: a cold start's timeout begins only now.
    this.#pendingHeaders["Lambda-Runtime-Deadline-Ms"] = String(invocation.deadlineMs);
    this.#currentHeaders = this.#pendingHeaders;
    this.#state = "Running";
    renderInvocation(res, invocation, this.#currentHeaders);
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

  /**
   * `/response` and `/error`: RAPID's checks, the response mode (a streamed response is passed on as it arrives),
   * then one body read for both, up to 6 MiB + 100 bytes (past it the runtime gets a 413).
   */
  async #reply(
    kind: "response" | "error",
    requestId: string,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const target = kind === "response" ? "InvocationResponse" : "InvocationErrorResponse";
    const invocation = this.#checkReply(requestId, target, res);
    if (invocation === undefined) return discard(req);
    this.#state = target;
    if (kind === "response") {
      const mode = header(req, "lambda-runtime-function-response-mode");
      if (mode === "streaming") {
        this.#state = "RuntimeResponseSentState";
        await receiveStreamedResponse(
          this.#listener,
          requestId,
          invocation.streamLimitBytes ?? MAX_RUNTIME_PAYLOAD_BYTES,
          header(req, "content-type") ?? JSON_TYPE,
          req,
          res,
        );
        return;
      }
      if (mode !== undefined) {
        // RAPID answers 400 but has already moved to InvocationResponse: the runtime is stuck until the timeout.
        await discard(req);
        send(res, 400, BODIES.invalidResponseMode);
        return;
      }
    }
    const body = await readBody(req, MAX_RUNTIME_PAYLOAD_BYTES);
    this.#state = "RuntimeResponseSentState";
    if (body.tooLarge) {
      send(res, 413, BODIES.tooLarge);
      this.#listener.responseTooLarge(requestId, body.size);
      return;
    }
    send(res, 202, BODIES.accepted);
    if (kind === "response") {
      const contentType = header(req, "content-type") ?? JSON_TYPE;
      this.#listener.response(requestId, { kind: "buffered", payload: body.body, contentType });
      return;
    }
    this.#listener.error(
      requestId,
      describeRuntimeError(
        header(req, "lambda-runtime-function-error-type"),
        body.body,
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
    const body = await readBody(req, MAX_RUNTIME_PAYLOAD_BYTES);
    send(res, 202, BODIES.accepted);
    this.#listener.initError(
      describeRuntimeError(
        header(req, "lambda-runtime-function-error-type"),
        body.body,
        header(req, "content-type"),
      ),
    );
  }
}
