/**
 * A tiny Lambda Runtime API (the /2018-06-01 routes a runtime calls) on 127.0.0.1, for testing images' production
 * targets the way Lambda runs them: the container's Runtime Interface Client polls it for events and posts answers.
 * It serves one runtime and one invocation at a time; the project's full implementation is tools/local-stack's.
 */
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface InvocationResult {
  readonly kind: "response" | "error";
  readonly requestId: string;
  readonly body: string;
  /** The runtime's Lambda-Runtime-Function-Error-Type header, for errors. */
  readonly errorType: string | undefined;
  /** Milliseconds from the moment the event was queued to the runtime's answer. */
  readonly elapsedMs: number;
}

interface Pending {
  readonly requestId: string;
  readonly payload: string;
  readonly queuedAt: number;
  resolve(result: InvocationResult): void;
  reject(error: Error): void;
}

export interface TestRuntimeApi {
  /** "127.0.0.1:PORT", the value for AWS_LAMBDA_RUNTIME_API. */
  readonly address: string;
  /** Hands `payload` to the runtime and resolves with its answer (rejects after `timeoutMs`). */
  invoke(payload: string, timeoutMs?: number): Promise<InvocationResult>;
  /** Resolves when the runtime first asks for an event (its init is done). */
  readonly ready: Promise<number>;
  /** The body of /runtime/init/error, if the runtime posted one. */
  initError(): string | undefined;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startTestRuntimeApi(functionName = "function"): Promise<TestRuntimeApi> {
  const queue: Pending[] = [];
  const inFlight = new Map<string, Pending>();
  let waiting: ServerResponse | undefined;
  let initErrorBody: string | undefined;
  let markReady: (at: number) => void = () => {};
  const ready = new Promise<number>((resolve) => {
    markReady = resolve;
  });

  const deliver = () => {
    const next = waiting && queue.shift();
    if (!next || !waiting) return;
    const response = waiting;
    waiting = undefined;
    inFlight.set(next.requestId, next);
    response.writeHead(200, {
      "content-type": "application/json",
      "lambda-runtime-aws-request-id": next.requestId,
      "lambda-runtime-deadline-ms": String(Date.now() + 120_000),
      "lambda-runtime-invoked-function-arn": `arn:aws:lambda:us-east-1:012345678912:function:${functionName}`,
    });
    response.end(next.payload);
  };

  const server = createServer(async (request, response) => {
    const url = request.url ?? "";
    const body = await readBody(request);
    const accepted = () => {
      response.writeHead(202, { "content-type": "application/json" });
      response.end('{"status":"OK"}\n');
    };
    if (request.method === "GET" && url === "/2018-06-01/runtime/invocation/next") {
      markReady(Date.now());
      waiting = response;
      deliver();
      return;
    }
    if (request.method === "POST" && url === "/2018-06-01/runtime/init/error") {
      initErrorBody = body;
      for (const pending of queue.splice(0))
        pending.reject(new Error(`The runtime failed to start: ${body}`));
      accepted();
      return;
    }
    const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    const pending = match?.[1] ? inFlight.get(match[1]) : undefined;
    if (request.method === "POST" && match && pending) {
      inFlight.delete(pending.requestId);
      accepted();
      const errorType = request.headers["lambda-runtime-function-error-type"];
      pending.resolve({
        kind: match[2] === "error" ? "error" : "response",
        requestId: pending.requestId,
        body,
        errorType: typeof errorType === "string" ? errorType : undefined,
        elapsedMs: performance.now() - pending.queuedAt,
      });
      return;
    }
    response.writeHead(404, { "content-type": "application/json" });
    response.end('{"errorMessage":"Not found","errorType":"NotFound"}\n');
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  return {
    address: `127.0.0.1:${port}`,
    ready,
    initError: () => initErrorBody,
    invoke(payload: string, timeoutMs = 120_000): Promise<InvocationResult> {
      return new Promise<InvocationResult>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`No answer from the runtime within ${timeoutMs} ms`)),
          timeoutMs,
        );
        queue.push({
          requestId: randomUUID(),
          payload,
          queuedAt: performance.now(),
          resolve: (result) => {
            clearTimeout(timer);
            resolve(result);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        deliver();
      });
    },
    async close() {
      waiting?.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, "close").catch(() => undefined);
    },
  };
}
