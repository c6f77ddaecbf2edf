/**
 * Writes an InvokeWithResponseStream answer: 200, then the function's bytes as `PayloadChunk` events as they
 * arrive, then one `InvokeComplete` event with the error (if the function failed) and the log tail.
 */
import type { ServerResponse } from "node:http";
import type { InvokeOutcome } from "../../contract.js";
import { writeChunk } from "../http-api/write-response.js";
import { type InvokeCompleteDetails, invokeComplete, payloadChunk } from "./event-stream.js";

type ResponseOutcome = Extract<InvokeOutcome, { kind: "response" }>;

function completeDetails(
  errorType: string | undefined,
  errorPayload: Buffer | undefined,
  logTail: string | undefined,
  tail: boolean,
): InvokeCompleteDetails {
  return {
    ...(errorType === undefined
      ? {}
      : { ErrorCode: errorType, ErrorDetails: errorPayload?.toString("utf8") ?? "" }),
    ...(tail ? { LogResult: Buffer.from(logTail ?? "", "utf8").toString("base64") } : {}),
  };
}

/** Streams the outcome to the caller and returns the function's error type, if it failed. */
export async function sendStreamingResponse(
  response: ServerResponse,
  outcome: ResponseOutcome,
  tail: boolean,
): Promise<string | undefined> {
  response.writeHead(200, {
    "content-type": outcome.contentType,
    "x-amzn-requestid": outcome.requestId,
    "x-amz-executed-version": "$LATEST",
  });
  const { stream, streamCompletion } = outcome;
  if (stream === undefined || streamCompletion === undefined) {
    // The function answered in one piece (or failed before streaming): one chunk, then the completion.
    const failed = outcome.functionError !== undefined;
    if (!failed && outcome.payload.length > 0) await writeChunk(response, payloadChunk(outcome.payload));
    response.end(
      invokeComplete(
        completeDetails(outcome.errorType, failed ? outcome.payload : undefined, outcome.logTail, tail),
      ),
    );
    return failed ? (outcome.errorType ?? "Unhandled") : undefined;
  }
  for await (const chunk of stream) {
    if (!(await writeChunk(response, payloadChunk(chunk as Buffer)))) {
      // The caller walked away: stop reading; the engine lets the function finish on its own.
      stream.destroy();
      break;
    }
  }
  const completion = await streamCompletion;
  if (!response.destroyed) {
    response.end(
      invokeComplete(
        completeDetails(completion.errorType, completion.errorPayload, completion.logTail, tail),
      ),
    );
  }
  return completion.errorType;
}
