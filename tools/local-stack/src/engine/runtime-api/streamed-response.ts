/**
 * A streamed response (`Lambda-Runtime-Function-Response-Mode: streaming`): passed on to the listener as it arrives,
 * up to its limit (past it the rest is counted and dropped, and the runtime gets a 413), then its error trailers.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { PassThrough } from "node:stream";
import { BODIES } from "./bodies.js";
import { describeRuntimeError } from "./errors.js";
import { send } from "./http.js";
import type { RuntimeApiListener, StreamEnd } from "./server.js";

export async function receiveStreamedResponse(
  listener: RuntimeApiListener,
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
  listener.response(requestId, { kind: "streamed", contentType, body, ended });
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
