import {
  BadRequestError,
  HttpError,
  HttpVerbs,
  isAPIGatewayProxyEventV2,
  MethodNotAllowedError,
  Router,
} from "@aws-lambda-powertools/event-handler/http";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { GREETING_PATHS, greet, methodNotAllowedMessage, noRouteMessage } from "./greeting.js";

// Service name and log level come from POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL (or LOG_LEVEL).
const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "hello" });
// Namespace and the service dimension come from POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME (set in
// the config's "environment"); each invocation's metrics go to stdout as one Embedded Metric Format line.
const metrics = new Metrics({ logger });

const app = new Router({ logger });

type Reply = { statusCode: number; headers: Record<string, string>; body: string };

function reply(statusCode: number, message: string, headers: Record<string, string> = {}): Reply {
  return {
    statusCode,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ message }),
  };
}

/** The path and method a request came with, for the logs. */
function requestOf({ req }: { req: Request }): { method: string; path: string } {
  return { method: req.method, path: new URL(req.url).pathname };
}

for (const path of GREETING_PATHS) {
  app.get(path, (reqCtx) => {
    const result = greet(path, reqCtx.event.queryStringParameters?.name);
    if (!result.ok) throw new BadRequestError(result.error);
    logger.info("Greeted", requestOf(reqCtx));
    metrics.addDimension("greeting", path.slice(1));
    metrics.addMetric("greetings", MetricUnit.Count, 1);
    return { message: result.message };
  });
  // The path exists, so any other method answers 405 with the methods it has (Allow), not 404.
  app.route(
    ({ req }) => {
      throw new MethodNotAllowedError(methodNotAllowedMessage(path, req.method));
    },
    { method: Object.values(HttpVerbs).filter((method) => method !== HttpVerbs.GET), path },
  );
}

app.notFound(async (_error, reqCtx) => rejected(reqCtx, 404, noRouteMessage(requestOf(reqCtx).path)));
app.methodNotAllowed(async (error, reqCtx) => rejected(reqCtx, 405, error.message, { allow: HttpVerbs.GET }));
app.errorHandler(Error, async (error, reqCtx) => {
  if (error instanceof HttpError) return rejected(reqCtx, error.statusCode, error.message);
  logger.error("Unexpected failure", error);
  return reply(500, "Internal Server Error");
});

function rejected(
  reqCtx: { req: Request },
  status: number,
  reason: string,
  headers: Record<string, string> = {},
): Reply {
  logger.info("Rejected request", { ...requestOf(reqCtx), status, reason });
  return reply(status, reason, headers);
}

/**
 * API Gateway always sends `headers` and `isBase64Encoded`; a hand-written event such as the write-up's curl body
 * may leave them out, and the router refuses an event without them. Fill them in, then check the event with
 * Powertools' own type guard.
 */
function httpApiEvent(event: APIGatewayProxyEventV2): APIGatewayProxyEventV2 {
  if (typeof event === "object" && event !== null && event.version === "2.0") {
    event.headers ??= {};
    event.isBase64Encoded ??= false;
  }
  if (!isAPIGatewayProxyEventV2(event)) {
    throw new TypeError(
      "Expected an API Gateway HTTP API (payload format 2.0) event with version, routeKey, rawPath, " +
        "rawQueryString and requestContext.http.method: hello answers HTTP requests.",
    );
  }
  return event;
}

/** HTTP API (payload format 2.0) handler for GET /hello and GET /goodbye, routed by Powertools' HTTP router. */
export const handler = async (
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> => {
  logger.addContext(context);
  try {
    return await app.resolve(httpApiEvent(event), context);
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
};
