/**
 * Test helpers for the end-to-end image suites: free ports, the Invoke API of a local image over real HTTP, what
 * of an answer must match between two ways of running the same function, and whether a strategy applies.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { FunctionDefinition, Strategy } from "@lambda-images/function-config";
import type { InvokeOutcome } from "@lambda-images/local-stack";

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

/** What must be the same whichever way a function ran: the bytes, or for a failure its type and message. */
export type Comparable =
  | { readonly ok: string }
  | { readonly failed: string | undefined; readonly errorType: unknown; readonly errorMessage: unknown };

export function comparable(payload: Buffer, functionError: string | undefined): Comparable {
  if (functionError === undefined) return { ok: payload.toString("utf8") };
  // The stack trace names files, which differ between the host and an image: compare type and message only.
  const error = JSON.parse(payload.toString("utf8")) as { errorType?: unknown; errorMessage?: unknown };
  return { failed: functionError, errorType: error.errorType, errorMessage: error.errorMessage };
}

export function comparableOutcome(outcome: InvokeOutcome): Comparable {
  if (outcome.kind !== "response") throw new Error(`the invoke was throttled: ${outcome.message}`);
  return comparable(outcome.payload, outcome.functionError);
}

/** Every event of a function, by file name (sorted). */
export function functionEvents(fn: FunctionDefinition): [string, Buffer][] {
  const folder = join(fn.dir, "events");
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => [name, readFileSync(join(folder, name))]);
}

/**
 * Whether the function's README says `strategy` does not apply to it (a line naming the strategy, in backticks
 * or not, with "does not apply" or "not applicable"): the one reason to leave a strategy out of the suite.
 */
export function strategyDoesNotApply(fn: FunctionDefinition, strategy: Strategy): boolean {
  const readme = join(fn.dir, "README.md");
  if (!existsSync(readme)) return false;
  return readFileSync(readme, "utf8")
    .split("\n")
    .some((line) => line.includes(strategy) && /does not apply|not applicable/i.test(line));
}
