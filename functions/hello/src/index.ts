import { Logger } from "@aws-lambda-powertools/logger";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { greet } from "./greeting.js";

// Service name and log level come from POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL (or LOG_LEVEL).
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "hello" });

const JSON_HEADERS = { "content-type": "application/json" } as const;

function reply(statusCode: number, body: Record<string, string>): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: JSON_HEADERS, body: JSON.stringify(body) };
}

/**
 * HTTP API (payload format 2.0) handler for GET /hello and GET /goodbye. Copes with sparse events such as the
 * write-up's curl body, which has no headers, no requestId and no time.
 */
export const handler = async (
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> => {
  logger.addContext(context);
  try {
    const method = event?.requestContext?.http?.method;
    const path = event?.rawPath ?? event?.requestContext?.http?.path;
    if (typeof method !== "string" || typeof path !== "string") {
      logger.warn("Rejected an event that is not an HTTP API payload 2.0 event");
      return reply(400, {
        message:
          "Expected an API Gateway HTTP API (payload format 2.0) event with requestContext.http.method and rawPath.",
      });
    }
    const result = greet({ method, path, name: event.queryStringParameters?.name });
    if (!result.ok) {
      logger.info("Rejected request", { method, path, status: result.status, reason: result.error });
      return reply(result.status, { message: result.error });
    }
    logger.info("Greeted", { method, path });
    return reply(200, { message: result.message });
  } catch (error) {
    logger.error("Unexpected failure", error as Error);
    return reply(500, { message: "Internal Server Error" });
  }
};
