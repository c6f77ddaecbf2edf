/**
 * The local HTTP API gateway: matches a request to a function's route, invokes the function with a payload 2.0
 * event and maps its answer back to HTTP, as API Gateway HTTP APIs do.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { type FunctionHost, LIMITS } from "../contract.js";
import { readBody, sendGatewayResponse } from "./body.js";
import { buildHttpApiEvent, newGatewayRequestId } from "./event.js";
import { type GatewayResponse, internalServerError, mapFunctionResult, NOT_FOUND } from "./response.js";
import { matchRoute, type RouteEntry } from "./routes.js";

/** HTTP API's own payload limit; a larger request is refused before any route is looked at. */
export const HTTP_API_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface HttpApiOptions {
  readonly hosts: ReadonlyMap<string, FunctionHost>;
  readonly routes: readonly RouteEntry[];
  /** The account ID and API ID that appear in `requestContext`. */
  readonly accountId: string;
  readonly apiId: string;
  /** One line per request: method, path, function, status, time. */
  readonly log?: (line: string) => void;
}

const TOO_LARGE: GatewayResponse = {
  statusCode: 413,
  headers: [["content-type", "application/json"]],
  body: Buffer.from(JSON.stringify({ message: "Request Entity Too Large" })),
};

function send(response: ServerResponse, result: GatewayResponse, requestId: string): void {
  sendGatewayResponse(response, result, "apigw-requestid", requestId);
}

async function answer(
  request: IncomingMessage,
  requestId: string,
  options: HttpApiOptions,
): Promise<{ result: GatewayResponse; functionName?: string }> {
  const { body, tooLarge } = await readBody(request, HTTP_API_PAYLOAD_BYTES);
  if (tooLarge) return { result: TOO_LARGE };
  const url = request.url ?? "/";
  const rawPath = url.split("?")[0] ?? "/";
  const method = request.method ?? "GET";
  const match = matchRoute(options.routes, method, rawPath);
  if (!match) return { result: NOT_FOUND };
  const functionName = match.route.functionName;
  const host = options.hosts.get(functionName);
  if (!host) return { result: internalServerError(`no host for function "${functionName}"`), functionName };

  const event = buildHttpApiEvent(
    {
      method,
      url,
      protocol: `HTTP/${request.httpVersion}`,
      rawHeaders: request.rawHeaders,
      sourceIp: request.socket.remoteAddress ?? "127.0.0.1",
      body,
    },
    {
      routeKey: match.route.routeKey,
      pathParameters: match.pathParameters,
      requestId,
      now: new Date(),
      accountId: options.accountId,
      apiId: options.apiId,
    },
  );
  const payload = Buffer.from(JSON.stringify(event));
  if (payload.length > LIMITS.requestBytes) {
    return {
      result: internalServerError(
        `the event is ${payload.length} bytes, over Lambda's ${LIMITS.requestBytes}-byte invoke limit`,
      ),
      functionName,
    };
  }
  const outcome = await host.invoke({ payload, traceId: event.headers["x-amzn-trace-id"] });
  if (outcome.kind === "throttled") {
    return { result: internalServerError(`the function is throttled: ${outcome.message}`), functionName };
  }
  return { result: mapFunctionResult(outcome.payload, outcome.functionError !== undefined), functionName };
}

/** The request listener for the gateway port. */
export function createHttpApiListener(options: HttpApiOptions): RequestListener {
  const log = options.log ?? ((line: string) => console.log(line));
  return (request, response) => {
    const started = performance.now();
    const requestId = newGatewayRequestId();
    answer(request, requestId, options)
      .catch((error: unknown) => ({
        result: internalServerError(
          `the invoke failed: ${error instanceof Error ? error.message : String(error)}`,
        ),
        functionName: undefined,
      }))
      .then(({ result, functionName }) => {
        send(response, result, requestId);
        const elapsed = (performance.now() - started).toFixed(1);
        const target = functionName === undefined ? "" : ` -> ${functionName}`;
        const problem = result.problem === undefined ? "" : ` (${result.problem})`;
        log(`[http] ${request.method} ${request.url}${target} ${result.statusCode} ${elapsed} ms${problem}`);
      });
  };
}
