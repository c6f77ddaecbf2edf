/**
 * The contract between the two halves of the local stack:
 *  - the engine (Runtime API, instances, runners, logs) implements `FunctionHost`, one per function;
 *  - the front doors (the Invoke API on :9000, the HTTP API gateway on :3000, the CLI) only call `invoke`.
 * The front doors know the Invoke API and API Gateway; they never know how a function runs.
 */

import type { Readable } from "node:stream";
import type { FunctionDefinition, Strategy } from "@lambda-images/function-config";
import type { InspectSettings } from "./engine/inspect.js";
import type { Runner } from "./engine/runners/runner.js";

/** Hard limits shared by both halves (bytes), from the Lambda quotas. */
export const LIMITS = {
  /** Synchronous invoke request payload: "Request must be smaller than 6291456 bytes". */
  requestBytes: 6 * 1024 * 1024,
  /** Synchronous response payload (6 MiB + 100, as RAPID enforces it). */
  responseBytes: 6 * 1024 * 1024 + 100,
  /** Asynchronous (Event) invoke payload: 1 MB since 2025 (it was 256 KB before). */
  eventRequestBytes: 1024 * 1024,
  /** Bytes of log tail returned with `X-Amz-Log-Type: Tail`. */
  logTailBytes: 4 * 1024,
} as const;

export interface InvokeRequest {
  /** The event bytes exactly as the caller sent them (already checked to be JSON by the front door). */
  readonly payload: Buffer;
  /**
   * The request ID the function sees (`context.awsRequestId`). Set for Event invokes, whose ID the caller got in
   * the 202 and which every retry keeps; otherwise the host picks a new one.
   */
  readonly requestId?: string;
  /** The decoded client context JSON (the front door base64-decodes `X-Amz-Client-Context`). */
  readonly clientContext?: string;
  /** `X-Amzn-Trace-Id`, passed to the runtime as `Lambda-Runtime-Trace-Id`. */
  readonly traceId?: string;
  /** `X-Amz-Tenant-Id`, passed to the runtime as `Lambda-Runtime-Aws-Tenant-Id`. */
  readonly tenantId?: string;
  /** Keep this invoke's log lines so the outcome can carry their tail. */
  readonly captureLogs?: boolean;
  /** Accept a streamed response as a stream instead of buffering it (InvokeWithResponseStream). */
  readonly acceptStream?: boolean;
}

export interface InvokeReport {
  readonly requestId: string;
  /** Init duration in ms when this invoke started a new instance. */
  readonly initDurationMs?: number;
  readonly durationMs: number;
  readonly billedDurationMs: number;
  readonly memorySizeMb: number;
  readonly maxMemoryUsedMb: number;
  /** The REPORT line exactly as it was logged. */
  readonly reportLine: string;
}

export type InvokeOutcome =
  | {
      readonly kind: "response";
      readonly requestId: string;
      /** The function's response bytes, or its error payload when `functionError` is set. */
      readonly payload: Buffer;
      /** Set when the runtime streamed its response and the request accepted a stream. */
      readonly stream?: Readable;
      /**
       * Set with `stream`: settles once the stream has ended, with the error the function reported mid-stream
       * (if any) and the final report. Until then `report` only covers the time up to the start of the stream.
       */
      readonly streamCompletion?: Promise<StreamCompletion>;
      readonly contentType: string;
      /** "Unhandled" for handler errors, timeouts, crashes and init errors (as real Lambda answers). */
      readonly functionError?: "Unhandled";
      /** The error type, e.g. "Sandbox.Timedout", "Runtime.ExitError", "Error". */
      readonly errorType?: string;
      /** The last LIMITS.logTailBytes of this invoke's logs, when `captureLogs` was set. */
      readonly logTail?: string;
      readonly report: InvokeReport;
    }
  | {
      /** Every instance is busy and the queue is full: answer 429 TooManyRequestsException. */
      readonly kind: "throttled";
      readonly message: string;
    };

/** How a streamed response ended (InvokeWithResponseStream's InvokeComplete event). */
export interface StreamCompletion {
  /** Set when the function failed mid-stream, e.g. "Error" or "Runtime.ExitError". */
  readonly errorType?: string;
  /** The error as JSON (`{"errorType","errorMessage",...}`), when `errorType` is set. */
  readonly errorPayload?: Buffer;
  readonly logTail?: string;
  readonly report: InvokeReport;
}

export interface FunctionHost {
  readonly definition: FunctionDefinition;
  invoke(request: InvokeRequest): Promise<InvokeOutcome>;
  /** Stop every instance (after a rebuild); the next invoke starts a fresh one. */
  recycle(): Promise<void>;
  close(): Promise<void>;
}

/** How instances run: the real RIC on the host, a pure-JS runtime client, or the function's container image. */
export type RunnerKind = "ric" | "fallback" | "container";

export interface HostOptions {
  /** A runner by kind, or a runner object of the caller's (`lambda-local emulate` runs a bootstrap command). */
  readonly runner: RunnerKind | Runner;
  /** The container runner's image: `functions/<name>/.image/<strategy>.json` (default: the function's strategy). */
  readonly strategy?: Strategy;
  /** The container runner runs this image (a tag or an id) instead of a recorded one: one built some other way. */
  readonly image?: string;
  /** Warm instances per function (default 4). */
  readonly maxInstances?: number;
  /** Invokes waiting for an instance before 429 (default 32). */
  readonly maxQueue?: number;
  readonly region?: string;
  /** Where prefixed log lines go (default: process.stdout). */
  readonly logSink?: (line: string) => void;
  /**
   * `--inspect`: the runtimes (of every function, or of `functionName`) start with node's --inspect on 127.0.0.1,
   * one port per instance, and their timeout is lifted so a debugger can hold them.
   */
  readonly inspect?: InspectSettings;
}
