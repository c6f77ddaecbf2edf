import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context, LambdaFunctionURLEvent, StreamifyHandler } from "aws-lambda";
import { parseReportRequest, reportChunks, reportFileName } from "./report.js";

// Service name and log level come from POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL (or LOG_LEVEL).
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "report-stream" });
// Namespace and the service dimension come from POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME (set in
// the config's "environment"); each report's metrics go to stdout as one Embedded Metric Format line.
const metrics = new Metrics({ logger });

type ResponseStream = Parameters<StreamifyHandler>[1];

/** Starts an HTTP response on the stream: the Function URL reads status and headers from this prelude. */
function startResponse(
  responseStream: ResponseStream,
  statusCode: number,
  headers: Record<string, string>,
): ResponseStream {
  return awslambda.HttpResponseStream.from(responseStream, { statusCode, headers });
}

async function replyJson(responseStream: ResponseStream, statusCode: number, message: string, extra = {}) {
  const stream = startResponse(responseStream, statusCode, { "content-type": "application/json", ...extra });
  await pipeline(Readable.from([JSON.stringify({ message })]), stream);
}

/**
 * Function URL handler (RESPONSE_STREAM invoke mode) for GET /?rows=N&seed=S: streams a CSV report of N rows,
 * one chunk of rows at a time, with backpressure (pipeline waits whenever the response stream is full).
 */
async function streamReport(
  event: LambdaFunctionURLEvent,
  responseStream: ResponseStream,
  context: Context,
): Promise<void> {
  logger.addContext(context);
  const method = event?.requestContext?.http?.method;
  if (typeof method !== "string") {
    logger.warn("Rejected an event that is not a Function URL event");
    await replyJson(
      responseStream,
      400,
      "Expected a Lambda Function URL (payload format 2.0) event with requestContext.http.method.",
    );
    return;
  }
  if (method !== "GET") {
    await replyJson(responseStream, 405, `The report only answers GET requests, not ${method}.`, {
      allow: "GET",
    });
    return;
  }
  const parsed = parseReportRequest(event.queryStringParameters);
  if (!parsed.ok) {
    logger.info("Rejected request", { reason: parsed.error });
    await replyJson(responseStream, 400, parsed.error);
    return;
  }
  const { request } = parsed;
  const stream = startResponse(responseStream, 200, {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": `attachment; filename="${reportFileName(request)}"`,
    "cache-control": "no-store",
  });
  const started = Date.now();
  await pipeline(Readable.from(reportChunks(request)), stream);
  logger.info("Report streamed", { rows: request.rows, seed: request.seed, ms: Date.now() - started });
  metrics.addMetric("rowsStreamed", MetricUnit.Count, request.rows);
  metrics.publishStoredMetrics();
}

function missingStreamingRuntime(): never {
  throw new Error(
    "awslambda.streamifyResponse is not defined: this handler streams its response and must run in the Lambda " +
      "Node.js runtime or under aws-lambda-ric (the images, lambda-local), which define it.",
  );
}

/** True where the runtime provides response streaming: `awslambda.streamifyResponse` is a function. */
function streamingRuntime(): boolean {
  // Powertools itself may create an empty `awslambda` object (for its invoke store), so check the function.
  return typeof awslambda !== "undefined" && typeof awslambda.streamifyResponse === "function";
}

/**
 * The Lambda Node.js runtime and aws-lambda-ric define `awslambda.streamifyResponse` before they load the handler
 * (its types come from @types/aws-lambda). A plain `node` import, such as the build tool's load check, has no
 * such function: the module still loads, and the handler says what is missing when it is called.
 */
export const handler = streamingRuntime()
  ? awslambda.streamifyResponse(streamReport)
  : missingStreamingRuntime;
