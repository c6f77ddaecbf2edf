/**
 * The local HTTP API gateway: matches a request to a function's route, invokes the function with a payload 2.0
 * event and maps its answer back to HTTP, as API Gateway HTTP APIs do.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { type FunctionHost, LIMITS } from "../../contract.js";
import { readBody } from "../../http/read-body.js";
import { buildHttpApiEvent, newGatewayRequestId } from "./event.js";
import { guardRequest } from "./guard.js";
import { type GatewayResponse, internalServerError, mapFunctionResult, NOT_FOUND } from "./response.js";
import { matchRoute, type RouteEntry } from "./routes.js";
import { sendGatewayResponse } from "./write-response.js";

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

/** What the log line names: the function the request was routed to, once it is known. */
interface Routed {
  functionName?: string;
}

async function answer(
  request: IncomingMessage,
  requestId: string,
  options: HttpApiOptions,
  routed: Routed,
): Promise<GatewayResponse> {
  const { body, tooLarge } = await readBody(request, HTTP_API_PAYLOAD_BYTES);
  if (tooLarge) return TOO_LARGE;
  const url = request.url ?? "/";
  const rawPath = url.split("?")[0] ?? "/";
  const method = request.method ?? "GET";
  const match = matchRoute(options.routes, method, rawPath);
  if (!match) return NOT_FOUND;
  const functionName = match.route.functionName;
  routed.functionName = functionName;
  const host = options.hosts.get(functionName);
  if (!host) return internalServerError(`no host for function "${functionName}"`);

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
    return internalServerError(
      `the event is ${payload.length} bytes, over Lambda's ${LIMITS.requestBytes}-byte invoke limit`,
    );
  }
  const outcome = await host.invoke({ payload, traceId: event.headers["x-amzn-trace-id"] });
  if (outcome.kind === "throttled")
    return internalServerError(`the function is throttled: ${outcome.message}`);
  return mapFunctionResult(outcome.payload, outcome.functionError !== undefined);
}

/** The request listener for the gateway port. */
export function createHttpApiListener(options: HttpApiOptions): RequestListener {
  const log = options.log ?? ((line: string) => console.log(line));
  return (request, response) => {
    const started = performance.now();
    const requestId = newGatewayRequestId();
    const routed: Routed = {};
    void guardRequest(
      response,
      async () => {
        const result = await answer(request, requestId, options, routed);
        send(response, result, requestId);
        return `${result.statusCode}${result.problem === undefined ? "" : ` (${result.problem})`}`;
      },
      (failed) => {
        send(failed, internalServerError("the gateway failed"), requestId);
        return "500";
      },
    ).then((summary) => {
      const elapsed = (performance.now() - started).toFixed(1);
      const target = routed.functionName === undefined ? "" : ` -> ${routed.functionName}`;
      log(`[http] ${request.method} ${request.url}${target} ${summary} ${elapsed} ms`);
    });
  };
}
