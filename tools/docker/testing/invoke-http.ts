/**
 * Test helpers for the end-to-end image suites (here and in tools/function-images-tests, through
 * `@lambda-images/docker/testing`): free ports, and the Invoke API of a local image over real HTTP.
 */
import { createServer } from "node:net";

export const INVOCATIONS_PATH = "/2015-03-31/functions/function/invocations";

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export interface HttpAnswer {
  readonly status: number;
  readonly functionError: string | undefined;
  readonly requestId: string | undefined;
  readonly body: Buffer;
}

export async function postInvoke(port: number, payload: Buffer | string): Promise<HttpAnswer> {
  const response = await fetch(`http://127.0.0.1:${port}${INVOCATIONS_PATH}`, {
    method: "POST",
    body: payload,
  });
  return {
    status: response.status,
    functionError: response.headers.get("x-amz-function-error") ?? undefined,
    requestId: response.headers.get("x-amzn-requestid") ?? undefined,
    body: Buffer.from(await response.arrayBuffer()),
  };
}

/**
 * Waits until the container's emulator answers HTTP at all (it listens a moment after `docker run`; until then
 * Docker's port proxy may hold a connection without answering, so each probe has a short deadline), then POSTs
 * `payload` and returns that first answer and how long it took from `startedAt` (performance.now()).
 */
export async function firstAnswer(
  port: number,
  payload: Buffer | string,
  startedAt: number,
  timeoutMs = 120_000,
): Promise<{ answer: HttpAnswer; ms: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A timer of our own (AbortSignal.timeout's does not keep the process alive while the probe waits).
    const abort = new AbortController();
    // Short enough to give up on a held connection, long enough for a busy machine to answer a listening port.
    const timer = setTimeout(() => abort.abort(), 1_000);
    try {
      // Any answer will do (the emulator says 404 to GET /): it means the emulator is listening.
      const probe = await fetch(`http://127.0.0.1:${port}/`, { signal: abort.signal });
      await probe.arrayBuffer();
      break;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`Nothing answered on port ${port} within ${timeoutMs} ms: ${error}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    } finally {
      clearTimeout(timer);
    }
  }
  const answer = await postInvoke(port, payload);
  return { answer, ms: performance.now() - startedAt };
}
