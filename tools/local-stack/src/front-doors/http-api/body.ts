import type { IncomingMessage, ServerResponse } from "node:http";
import type { GatewayResponse } from "./response.js";

export interface ReadBody {
  /** The bytes read, or an empty buffer when the body was over the limit. */
  readonly body: Buffer;
  /** The full size of the body in bytes, counted even past the limit. */
  readonly size: number;
  readonly tooLarge: boolean;
}

/**
 * Reads a request body, keeping at most `limit` bytes. A larger body is still read to its end (and dropped) so
 * the client gets a proper error response instead of a reset connection.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<ReadBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    request.on("end", () => {
      const tooLarge = size > limit;
      resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks, size), size, tooLarge });
    });
    request.on("error", reject);
  });
}

/** Writes `chunk`, waiting for the socket to drain; false once the caller has gone. */
export function writeChunk(response: ServerResponse, chunk: Buffer): Promise<boolean> {
  if (response.destroyed) return Promise.resolve(false);
  if (response.write(chunk)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (open: boolean) => {
      response.off("drain", onDrain);
      response.off("close", onClose);
      resolve(open);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    response.on("drain", onDrain);
    response.on("close", onClose);
  });
}

/** Statuses that never carry a body, so they carry no content-length either (RFC 9110, 6.4.1 and 8.6). */
function hasNoBody(statusCode: number): boolean {
  return statusCode === 204 || statusCode === 304 || statusCode < 200;
}

/**
 * Header pairs as one object for `writeHead`: repeated headers comma-joined as API Gateway joins them, except
 * `set-cookie`, which stays one header per cookie.
 */
export function headerObject(pairs: GatewayResponse["headers"]): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const previous = headers[name];
    if (name === "set-cookie") headers[name] = [...(Array.isArray(previous) ? previous : []), value];
    else headers[name] = previous === undefined ? value : `${previous},${value}`;
  }
  return headers;
}

/**
 * Writes a mapped response. `requestIdHeader` is the front door's own (`apigw-requestid` for the HTTP API,
 * `x-amzn-requestid` for Function URLs). A 204 or 304 goes without its body, as HTTP requires.
 */
export function sendGatewayResponse(
  response: ServerResponse,
  result: GatewayResponse,
  requestIdHeader: string,
  requestId: string,
): void {
  const headers = headerObject(result.headers);
  const withBody = !hasNoBody(result.statusCode);
  if (withBody) headers["content-length"] = String(result.body.length);
  headers[requestIdHeader] = requestId;
  response.writeHead(result.statusCode, headers);
  response.end(withBody ? result.body : undefined);
}
