/** The HTTP plumbing of the Runtime API: reading a request's headers and body, writing an answer. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { finished } from "node:stream/promises";

export const JSON_TYPE = "application/json";

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

export function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "Content-Type": JSON_TYPE, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

export function sendText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, {
    "Content-Type": "text/plain; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

export async function drainThen(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: string,
): Promise<void> {
  await discard(req);
  send(res, status, body);
}

export function safeDecode(value: string): string {
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

/**
 * Reads a whole body (Content-Length or chunked), keeping at most `limit` bytes and counting the rest. Rejects when
 * the request fails or is cut off before its body ends. (Event listeners, not `for await`: the async iterator
 * costs promises and paused-mode reads for each chunk, on every invoke's reply.)
 */
export function readLimited(req: IncomingMessage, limit: number): Promise<LimitedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= limit) chunks.push(chunk);
    });
    req.once("end", () => {
      const overLimit = bytes > limit;
      resolve({ buffer: overLimit ? Buffer.alloc(0) : Buffer.concat(chunks, bytes), bytes, overLimit });
    });
    req.once("error", reject);
    req.once("close", () => {
      if (!req.readableEnded) reject(new Error("The request was cut off before its body ended."));
    });
  });
}

export async function discard(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return;
  req.resume();
  await finished(req).catch(() => undefined);
}
