import type { ServerResponse } from "node:http";
import type { GatewayResponse } from "./response.js";

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
