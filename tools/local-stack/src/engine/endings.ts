/** How an invoke ended, and what the caller and the REPORT line make of it. */
import type { InvokeOutcome, InvokeReport, StreamCompletion } from "../contract.js";
import { LIMITS } from "../contract.js";
import type { ReportFields } from "./logs.js";
import { type PlatformError, platformPayload, RESPONSE_TOO_LARGE_ERROR_TYPE } from "./outcomes.js";
import { responseTooLargePayload } from "./runtime-api/bodies.js";
import type { RuntimeError, StreamEnd } from "./runtime-api/server.js";

export type ResponseOutcome = Extract<InvokeOutcome, { kind: "response" }>;

/** What the runtime answered. */
export type Reply =
  | { readonly kind: "buffered"; readonly payload: Buffer; readonly contentType: string }
  | { readonly kind: "error"; readonly error: RuntimeError }
  | { readonly kind: "tooLarge"; readonly bytes: number }
  | {
      readonly kind: "streamed";
      readonly contentType: string;
      readonly payload: Buffer;
      readonly end: StreamEnd;
    };

/** How an invoke ended, from the platform's point of view. */
export type Ending =
  | { readonly kind: "reply"; readonly reply: Reply }
  | { readonly kind: "initError"; readonly error: RuntimeError }
  | { readonly kind: "platform"; readonly error: PlatformError; readonly status: ReportFields["status"] };

export function statusOf(ending: Ending): ReportFields["status"] {
  switch (ending.kind) {
    case "platform":
      return ending.status;
    case "initError":
      return { kind: "error", errorType: ending.error.reportedType };
    case "reply":
      if (ending.reply.kind === "tooLarge")
        return { kind: "error", errorType: RESPONSE_TOO_LARGE_ERROR_TYPE };
      if (ending.reply.kind === "streamed" && ending.reply.end.tooLarge) {
        return { kind: "error", errorType: RESPONSE_TOO_LARGE_ERROR_TYPE };
      }
      return undefined;
  }
}

interface FailureView {
  readonly errorType: string;
  readonly payload: Buffer;
}

/** The function error an ending amounts to, or undefined for a successful response. */
function failureOf(ending: Ending): FailureView | undefined {
  switch (ending.kind) {
    case "platform":
      return { errorType: ending.error.errorType, payload: platformPayload(ending.error) };
    case "initError":
      return { errorType: ending.error.errorType, payload: ending.error.payload };
    case "reply": {
      const reply = ending.reply;
      if (reply.kind === "error") return { errorType: reply.error.errorType, payload: reply.error.payload };
      if (reply.kind === "tooLarge") return tooLarge(reply.bytes);
      if (reply.kind === "streamed") {
        if (reply.end.tooLarge) return tooLarge(reply.end.bytes);
        if (reply.end.error !== undefined) {
          return { errorType: reply.end.error.errorType, payload: reply.end.error.payload };
        }
      }
      return undefined;
    }
  }
}

function tooLarge(bytes: number): FailureView {
  return {
    errorType: RESPONSE_TOO_LARGE_ERROR_TYPE,
    payload: Buffer.from(responseTooLargePayload(bytes, LIMITS.responseBytes)),
  };
}

export function outcomeOf(
  requestId: string,
  ending: Ending,
  report: InvokeReport,
  logTail: string | undefined,
): ResponseOutcome {
  const failure = failureOf(ending);
  const tail = logTail === undefined ? {} : { logTail };
  if (failure !== undefined) {
    return {
      kind: "response",
      requestId,
      payload: failure.payload,
      contentType: "application/json",
      functionError: "Unhandled",
      errorType: failure.errorType,
      report,
      ...tail,
    };
  }
  const reply = ending.kind === "reply" ? ending.reply : undefined;
  const payload = reply !== undefined && "payload" in reply ? reply.payload : Buffer.alloc(0);
  const contentType = reply !== undefined && "contentType" in reply ? reply.contentType : "application/json";
  return { kind: "response", requestId, payload, contentType, report, ...tail };
}

export function streamCompletion(
  ending: Ending,
  report: InvokeReport,
  logTail: string | undefined,
): StreamCompletion {
  const failure = failureOf(ending);
  return {
    report,
    ...(failure === undefined ? {} : { errorType: failure.errorType, errorPayload: failure.payload }),
    ...(logTail === undefined ? {} : { logTail }),
  };
}
