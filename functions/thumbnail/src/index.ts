import {
  HttpError,
  HttpVerbs,
  isAPIGatewayProxyEventV2,
  MethodNotAllowedError,
  Router,
} from "@aws-lambda-powertools/event-handler/http";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { CONTENT_TYPES, decodeBody, parseOptions } from "./request.js";
import { makeThumbnail } from "./resize.js";

// Service name and log level come from POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL (or LOG_LEVEL).
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "thumbnail" });
// Namespace and the service dimension come from POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME (set in
// the config's "environment"); each invocation's metrics go to stdout as one Embedded Metric Format line.
const metrics = new Metrics({ logger });

const app = new Router({ logger });

const PATH = "/thumbnail";

type Reply = { statusCode: number; headers: Record<string, string>; body: string };

function replyJson(statusCode: number, message: string, headers: Record<string, string> = {}): Reply {
  return {
    statusCode,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ message }),
  };
}

/**
 * POST /thumbnail?width=200&format=webp: the body is the image (base64-encoded by API Gateway), the answer is the
 * thumbnail. The router base64-encodes an image/* reply and sets isBase64Encoded, so API Gateway sends the bytes.
 */
app.post(PATH, async ({ event }) => {
  const options = parseOptions(event.queryStringParameters ?? undefined);
  if (!options.ok) return reject(options.status, options.error);
  const input = decodeBody(event.body ?? undefined, event.isBase64Encoded);
  if (!input.ok) return reject(input.status, input.error);
  const thumbnail = await makeThumbnail(input.value, options.value);
  if (!thumbnail.ok) return reject(thumbnail.status, thumbnail.error);

  const { bytes, format, width, height, sourceFormat, sourceWidth, sourceHeight } = thumbnail.value;
  logger.info("Thumbnail made", {
    source: { format: sourceFormat, width: sourceWidth, height: sourceHeight, bytes: input.value.length },
    thumbnail: { format, width, height, bytes: bytes.length },
  });
  metrics.addDimension("format", format);
  metrics.addMetric("thumbnails", MetricUnit.Count, 1);
  metrics.addMetric("thumbnailBytes", MetricUnit.Bytes, bytes.length);
  return new Response(new Uint8Array(bytes), {
    status: 200,
    headers: {
      "content-type": CONTENT_TYPES[format],
      "cache-control": "public, max-age=31536000, immutable",
      "x-thumbnail-size": `${width}x${height}`,
    },
  });
});

// The path exists, so any other method answers 405 with the method it has (Allow), not 404.
app.route(
  ({ req }) => {
    throw new MethodNotAllowedError(
      `${PATH} only answers POST requests with an image body, not ${req.method}.`,
    );
  },
  { method: Object.values(HttpVerbs).filter((method) => method !== HttpVerbs.POST), path: PATH },
);

app.notFound(async (_error, { req }) =>
  reject(404, `No route for ${new URL(req.url).pathname}. Send the image to POST ${PATH}?width=200.`),
);
app.methodNotAllowed(async (error) => reject(405, error.message, { allow: HttpVerbs.POST }));
app.errorHandler(Error, async (error) => {
  if (error instanceof HttpError) return reject(error.statusCode, error.message);
  logger.error("Unexpected failure", error);
  return replyJson(500, "Internal Server Error");
});

function reject(status: number, reason: string, headers: Record<string, string> = {}): Reply {
  logger.info("Rejected request", { status, reason });
  return replyJson(status, reason, headers);
}

/** HTTP API (payload format 2.0) handler, routed by Powertools' HTTP router. */
export const handler = async (
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> => {
  logger.addContext(context);
  if (!isAPIGatewayProxyEventV2(event)) {
    throw new TypeError(
      "Expected an API Gateway HTTP API (payload format 2.0) event with version, routeKey, rawPath, " +
        "rawQueryString, headers, isBase64Encoded and requestContext.http.method: thumbnail answers HTTP requests.",
    );
  }
  try {
    return await app.resolve(event, context);
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
