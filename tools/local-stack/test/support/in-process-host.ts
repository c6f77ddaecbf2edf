/**
 * A FunctionHost that calls a handler in this process: no Runtime API, no runtime client, no instances. The front
 * doors' own tests use it to check HTTP mapping in isolation, and the benchmark uses it as the baseline. The
 * real engine is `createFunctionHost`.
 */
import { randomUUID } from "node:crypto";
import type { FunctionDefinition } from "@lambda-images/function-config";
import type { FunctionHost, InvokeOutcome, InvokeRequest } from "../../src/contract.js";

export type InProcessHandler = (event: unknown, request: InvokeRequest) => unknown;

export interface InProcessHost extends FunctionHost {
  /** Every request the host received, in order. */
  readonly requests: InvokeRequest[];
  /** Answer every invoke as throttled from now on (or not). */
  throttle(throttled: boolean): void;
}

function errorPayload(error: unknown): { errorType: string; errorMessage: string } {
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message };
  return { errorType: "Error", errorMessage: String(error) };
}

export function createInProcessHost(
  definition: FunctionDefinition,
  handler: InProcessHandler,
): InProcessHost {
  const requests: InvokeRequest[] = [];
  let throttled = false;
  return {
    definition,
    requests,
    throttle(value) {
      throttled = value;
    },
    async invoke(request): Promise<InvokeOutcome> {
      requests.push(request);
      if (throttled) return { kind: "throttled", message: "Rate Exceeded." };
      const requestId = request.requestId ?? randomUUID();
      const started = performance.now();
      let payload: Buffer;
      let failed = false;
      let errorType: string | undefined;
      try {
        const result = await handler(JSON.parse(request.payload.toString("utf8")), request);
        payload = Buffer.from(JSON.stringify(result ?? null));
      } catch (error) {
        failed = true;
        const body = errorPayload(error);
        errorType = body.errorType;
        payload = Buffer.from(JSON.stringify(body));
      }
      const durationMs = performance.now() - started;
      const reportLine =
        `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\t` +
        `Billed Duration: ${Math.ceil(durationMs)} ms\tMemory Size: ${definition.memorySize} MB\t` +
        `Max Memory Used: ${definition.memorySize} MB\t`;
      const logTail = `START RequestId: ${requestId} Version: $LATEST\nEND RequestId: ${requestId}\n${reportLine}\n`;
      return {
        kind: "response",
        requestId,
        payload,
        contentType: "application/json",
        ...(failed ? { functionError: "Unhandled" as const, errorType } : {}),
        ...(request.captureLogs ? { logTail } : {}),
        report: {
          requestId,
          durationMs,
          billedDurationMs: Math.ceil(durationMs),
          memorySizeMb: definition.memorySize,
          maxMemoryUsedMb: definition.memorySize,
          reportLine,
        },
      };
    },
    async recycle() {},
    async close() {},
  };
}
