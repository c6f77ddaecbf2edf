import type { IncomingMessage } from "node:http";

export interface ReadBody {
  /** The bytes read, or an empty buffer when the body was over the limit. */
  readonly body: Buffer;
  /** The full size of the body in bytes, counted even past the limit. */
  readonly size: number;
  readonly tooLarge: boolean;
}

/**
 * Reads a whole request body (Content-Length or chunked), keeping at most `limit` bytes. A larger body is still
 * read to its end and dropped, so the client gets a proper error response instead of a reset connection. Rejects
 * when the request fails or is cut off before its body ends. The one body reader of the Runtime API and the front
 * doors. (Event listeners, not `for await`: the async iterator costs promises and paused-mode reads for each
 * chunk, on every invoke.)
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
    request.once("end", () => {
      const tooLarge = size > limit;
      resolve({ body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks, size), size, tooLarge });
    });
    request.once("error", reject);
    request.once("close", () => {
      if (!request.readableEnded) reject(new Error("The request was cut off before its body ended."));
    });
  });
}
