/**
 * HTTP requests as Lambda receives them: API Gateway HTTP API (payload format 2.0), API Gateway REST API (payload
 * format 1.0, with the multiValue fields) and Lambda Function URLs (the 2.0 shape, with "$default" as the route).
 */
import { apiId, clfTime, type EventContext, shortRequestId, sourceIp, traceId, uuid } from "./context.js";

export interface HttpOptions {
  /** GET unless given. */
  method?: string | undefined;
  /** "/" unless given; may carry a query string ("/hello?name=Ada"), added to `query`. */
  path?: string | undefined;
  /** Query parameters in order; a name may repeat. */
  query?: ReadonlyArray<readonly [string, string]> | undefined;
  /** Request headers in order; a name may repeat. */
  headers?: ReadonlyArray<readonly [string, string]> | undefined;
  /** The request body, as text or bytes. */
  body?: string | Uint8Array | undefined;
  /** Send the body base64-encoded (`isBase64Encoded: true`), as API Gateway does for binary media. */
  base64?: boolean | undefined;
}

const USER_AGENT = "curl/8.5.0";

interface Request {
  method: string;
  path: string;
  query: Array<readonly [string, string]>;
  rawQueryString: string;
  /** Headers as the client sent them (names as given), with the ones a client and API Gateway add. */
  headers: Array<readonly [string, string]>;
  body: string | undefined;
  isBase64Encoded: boolean;
  sourceIp: string;
  userAgent: string;
}

function request(ctx: EventContext, options: HttpOptions, host: string): Request {
  const method = (options.method ?? "GET").toUpperCase();
  const [rawPath = "/", search] = (options.path ?? "/").split("?", 2);
  const path = rawPath.startsWith("/") ? rawPath : `/${rawPath}`;
  const query: Array<readonly [string, string]> = [...new URLSearchParams(search ?? "")];
  query.push(...(options.query ?? []));
  const rawQueryString = new URLSearchParams(query.map(([k, v]): [string, string] => [k, v])).toString();

  let body: string | undefined;
  const isBase64Encoded = options.base64 === true;
  if (options.body !== undefined) {
    const bytes =
      typeof options.body === "string" ? Buffer.from(options.body, "utf8") : Buffer.from(options.body);
    body = isBase64Encoded ? bytes.toString("base64") : bytes.toString("utf8");
  }
  const given = options.headers ?? [];
  const has = (name: string) => given.some(([k]) => k.toLowerCase() === name);
  const userAgent = given.find(([k]) => k.toLowerCase() === "user-agent")?.[1] ?? USER_AGENT;
  const ip = sourceIp(ctx);
  const headers: Array<readonly [string, string]> = [];
  const add = (name: string, value: string) => {
    if (!has(name)) headers.push([name, value]);
  };
  add("accept", "*/*");
  const length = options.body === undefined ? 0 : Buffer.byteLength(options.body as string | Uint8Array);
  add("content-length", String(length));
  if (options.body !== undefined)
    add("content-type", isBase64Encoded ? "application/octet-stream" : guessContentType(body ?? ""));
  add("host", host);
  add("user-agent", userAgent);
  add("x-amzn-trace-id", traceId(ctx));
  add("x-forwarded-for", ip);
  add("x-forwarded-port", "443");
  add("x-forwarded-proto", "https");
  headers.push(...given);
  headers.sort(([a], [b]) => a.toLowerCase().localeCompare(b.toLowerCase()));
  return { method, path, query, rawQueryString, headers, body, isBase64Encoded, sourceIp: ip, userAgent };
}

function guessContentType(body: string): string {
  try {
    JSON.parse(body);
    return "application/json";
  } catch {
    return "text/plain";
  }
}

/** Single-valued maps as payload 2.0 has them: repeated names joined with commas. */
function joined(pairs: ReadonlyArray<readonly [string, string]>, lowerCase: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of pairs) {
    const key = lowerCase ? k.toLowerCase() : k;
    out[key] = key in out ? `${out[key]},${v}` : v;
  }
  return out;
}

function v2(
  ctx: EventContext,
  options: HttpOptions,
  kind: "http-api" | "function-url",
): Record<string, unknown> {
  const id = kind === "http-api" ? apiId(ctx) : apiId(ctx, 32);
  const domainName =
    kind === "http-api"
      ? `${id}.execute-api.${ctx.region}.amazonaws.com`
      : `${id}.lambda-url.${ctx.region}.on.aws`;
  const req = request(ctx, options, domainName);
  // Payload 2.0 moves cookies out of the headers into their own array.
  const cookies = req.headers
    .filter(([k]) => k.toLowerCase() === "cookie")
    .flatMap(([, v]) => v.split(";").map((c) => c.trim()))
    .filter((c) => c !== "");
  const headers = joined(
    req.headers.filter(([k]) => k.toLowerCase() !== "cookie"),
    true,
  );
  const routeKey = kind === "http-api" ? `${req.method} ${req.path}` : "$default";
  const event: Record<string, unknown> = {
    version: "2.0",
    routeKey,
    rawPath: req.path,
    rawQueryString: req.rawQueryString,
  };
  if (cookies.length > 0) event.cookies = cookies;
  event.headers = headers;
  if (req.query.length > 0) event.queryStringParameters = joined(req.query, false);
  const requestContext: Record<string, unknown> = {
    accountId: kind === "http-api" ? ctx.accountId : "anonymous",
    apiId: id,
    domainName,
    domainPrefix: id,
    http: {
      method: req.method,
      path: req.path,
      protocol: "HTTP/1.1",
      sourceIp: req.sourceIp,
      userAgent: req.userAgent,
    },
    requestId: kind === "http-api" ? shortRequestId(ctx) : uuid(ctx),
    routeKey,
    stage: "$default",
    time: clfTime(ctx.now),
    timeEpoch: ctx.now.getTime(),
  };
  event.requestContext = requestContext;
  if (req.body !== undefined) event.body = req.body;
  event.isBase64Encoded = req.isBase64Encoded;
  return event;
}

/** An API Gateway HTTP API request (payload format 2.0), routed by "METHOD /path". */
export const httpApiEvent = (ctx: EventContext, options: HttpOptions = {}) => v2(ctx, options, "http-api");

/** A Lambda Function URL request (payload format 2.0, route "$default", no API Gateway account). */
export const functionUrlEvent = (ctx: EventContext, options: HttpOptions = {}) =>
  v2(ctx, options, "function-url");

/** Title-Case a header name the way browsers and curl commonly send them ("content-type" -> "Content-Type"). */
const titleCase = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());

/** An API Gateway REST API request (payload format 1.0, Lambda proxy integration) on a resource at the path. */
export function restApiEvent(ctx: EventContext, options: HttpOptions = {}): Record<string, unknown> {
  const id = apiId(ctx);
  const domainName = `${id}.execute-api.${ctx.region}.amazonaws.com`;
  const req = request(ctx, options, domainName);
  const stage = "prod";
  // REST APIs pass header names as the client sent them; the ones it adds are Title-Case.
  const given = new Set((options.headers ?? []).map(([k]) => k));
  const sent = req.headers.map(([k, v]) => [given.has(k) ? k : titleCase(k), v] as const);
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [k, v] of sent) {
    headers[k] = v;
    multiValueHeaders[k] = [...(multiValueHeaders[k] ?? []), v];
  }
  let queryStringParameters: Record<string, string> | null = null;
  let multiValueQueryStringParameters: Record<string, string[]> | null = null;
  if (req.query.length > 0) {
    queryStringParameters = {};
    multiValueQueryStringParameters = {};
    for (const [k, v] of req.query) {
      queryStringParameters[k] = v;
      multiValueQueryStringParameters[k] = [...(multiValueQueryStringParameters[k] ?? []), v];
    }
  }
  const requestId = uuid(ctx);
  return {
    resource: req.path,
    path: req.path,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      accountId: ctx.accountId,
      apiId: id,
      domainName,
      domainPrefix: id,
      extendedRequestId: shortRequestId(ctx),
      httpMethod: req.method,
      identity: {
        accessKey: null,
        accountId: null,
        caller: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: req.sourceIp,
        user: null,
        userAgent: req.userAgent,
        userArn: null,
      },
      path: `/${stage}${req.path}`,
      protocol: "HTTP/1.1",
      requestId,
      requestTime: clfTime(ctx.now),
      requestTimeEpoch: ctx.now.getTime(),
      resourceId: apiId(ctx, 6),
      resourcePath: req.path,
      stage,
    },
    body: req.body ?? null,
    isBase64Encoded: req.isBase64Encoded,
  };
}
