import { Logger } from "@aws-lambda-powertools/logger";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { CONTENT_TYPES, decodeBody, parseOptions } from "./request.js";
import { makeThumbnail } from "./resize.js";

// Service name and log level come from POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL (or LOG_LEVEL).
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "thumbnail" });

function replyJson(
  statusCode: number,
  message: string,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ message }),
  };
}

/**
 * HTTP API (payload format 2.0) handler for POST /thumbnail?width=200&format=webp: the body is the image
 * (base64-encoded by API Gateway), the answer is the thumbnail, base64-encoded with isBase64Encoded so API Gateway
 * sends the caller the bytes.
 */
export const handler = async (
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> => {
  logger.addContext(context);
  try {
    const method = event?.requestContext?.http?.method;
    if (typeof method !== "string") {
      logger.warn("Rejected an event that is not an HTTP API payload 2.0 event");
      return replyJson(
        400,
        "Expected an API Gateway HTTP API (payload format 2.0) event with requestContext.http.method.",
      );
    }
    if (method !== "POST") {
      return replyJson(405, `/thumbnail only answers POST requests with an image body, not ${method}.`, {
        allow: "POST",
      });
    }
    const options = parseOptions(event.queryStringParameters);
    if (!options.ok) return reject(options.status, options.error);
    const input = decodeBody(event.body, event.isBase64Encoded);
    if (!input.ok) return reject(input.status, input.error);
    const thumbnail = await makeThumbnail(input.value, options.value);
    if (!thumbnail.ok) return reject(thumbnail.status, thumbnail.error);

    const { bytes, format, width, height, sourceFormat, sourceWidth, sourceHeight } = thumbnail.value;
    logger.info("Thumbnail made", {
      source: { format: sourceFormat, width: sourceWidth, height: sourceHeight, bytes: input.value.length },
      thumbnail: { format, width, height, bytes: bytes.length },
    });
    return {
      statusCode: 200,
      headers: {
        "content-type": CONTENT_TYPES[format],
        "cache-control": "public, max-age=31536000, immutable",
        "x-thumbnail-size": `${width}x${height}`,
      },
      body: bytes.toString("base64"),
      isBase64Encoded: true,
    };
  } catch (error) {
    logger.error("Unexpected failure", error as Error);
    return replyJson(500, "Internal Server Error");
  }
};

function reject(status: number, reason: string): APIGatewayProxyStructuredResultV2 {
  logger.info("Rejected request", { status, reason });
  return replyJson(status, reason);
}
