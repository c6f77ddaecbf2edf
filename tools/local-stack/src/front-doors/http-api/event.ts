/**
 * Builds the HTTP API (payload format 2.0) event API Gateway sends to a function. Pure: the request, the matched
 * route, the clock and the IDs come in as arguments, so every field can be checked against the reference.
 */
import { randomBytes } from "node:crypto";

/** What API Gateway saw of the HTTP request. */
export interface GatewayRequest {
  readonly method: string;
  /** Path and query exactly as received, e.g. "/hello?name=Chris". */
  readonly url: string;
  /** "HTTP/1.1". */
  readonly protocol: string;
  /** Header names and values in arrival order, as Node's `rawHeaders` gives them: [name, value, name, value...]. */
  readonly rawHeaders: readonly string[];
  readonly sourceIp: string;
  readonly body: Buffer;
}

export interface EventContext {
  readonly routeKey: string;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly requestId: string;
  readonly now: Date;
  readonly accountId: string;
  readonly apiId: string;
}

/** The payload 2.0 event; optional fields are left out when there is nothing to put in them. */
export interface HttpApiEventV2 {
  version: "2.0";
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent?: string };
    requestId: string;
    routeKey: string;
    stage: "$default";
    time: string;
    timeEpoch: number;
  };
  body?: string;
  isBase64Encoded: boolean;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

/** "12/Mar/2020:19:03:58 +0000", the format of `requestContext.time`. */
export function formatRequestTime(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, "0");
  const month = MONTHS[date.getUTCMonth()] ?? "Jan";
  return (
    `${pad(date.getUTCDate())}/${month}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** An ID shaped like API Gateway's `requestContext.requestId` / `apigw-requestid`, e.g. "JKJaXmPLvHcESHA=". */
export function newGatewayRequestId(): string {
  return randomBytes(10).toString("base64");
}

/**
 * Content types API Gateway passes as text; every other body (including form posts and bodies with no content
 * type) arrives base64-encoded with `isBase64Encoded: true`.
 */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = (contentType.split(";")[0] ?? "").trim().toLowerCase();
  return (
    type.startsWith("text/") ||
    type === "application/json" ||
    type.endsWith("+json") ||
    type === "application/xml" ||
    type.endsWith("+xml") ||
    type === "application/javascript" ||
    type === "application/graphql" ||
    type === "application/yaml" ||
    type === "application/x-yaml"
  );
}

function decodeQueryComponent(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    return raw;
  }
}

/** Query parameters with repeated names comma-joined, as payload 2.0 gives them. */
export function parseQueryString(rawQueryString: string): Record<string, string> {
  const parameters: Record<string, string> = {};
  if (rawQueryString === "") return parameters;
  for (const pair of rawQueryString.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    const name = decodeQueryComponent(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? "" : decodeQueryComponent(pair.slice(equals + 1));
    const previous = parameters[name];
    parameters[name] = previous === undefined ? value : `${previous},${value}`;
  }
  return parameters;
}

interface ParsedHeaders {
  readonly headers: Record<string, string>;
  readonly cookies: string[];
}

/** Lower-cased header names, repeated values comma-joined; the Cookie header moves to `cookies`. */
function collectHeaders(rawHeaders: readonly string[]): ParsedHeaders {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] as string).toLowerCase();
    const value = rawHeaders[index + 1] as string;
    if (name === "cookie") {
      cookies.push(
        ...value
          .split(";")
          .map((cookie) => cookie.trim())
          .filter((cookie) => cookie !== ""),
      );
      continue;
    }
    const previous = headers[name];
    headers[name] = previous === undefined ? value : `${previous},${value}`;
  }
  return { headers, cookies };
}

/** The host name the client used, without the port; "localhost" when the request named none. */
function domainNameOf(host: string | undefined): string {
  if (!host) return "localhost";
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  return host.replace(/:\d+$/, "");
}

/** Builds the payload 2.0 event for one request. */
export function buildHttpApiEvent(request: GatewayRequest, context: EventContext): HttpApiEventV2 {
  const queryStart = request.url.indexOf("?");
  const rawPath = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? "" : request.url.slice(queryStart + 1);
  const { headers, cookies } = collectHeaders(request.rawHeaders);
  const sourceIp = request.sourceIp.replace(/^::ffff:/, "");

  // What API Gateway adds on its way to the function.
  headers["x-forwarded-for"] = headers["x-forwarded-for"]
    ? `${headers["x-forwarded-for"]}, ${sourceIp}`
    : sourceIp;
  headers["x-forwarded-proto"] ??= "http";
  const hostPort = /:(\d+)$/.exec(headers.host ?? "");
  headers["x-forwarded-port"] ??= hostPort?.[1] ?? "80";
  headers["x-amzn-trace-id"] ??= traceIdFor(context.now);

  const domainName = domainNameOf(headers.host);
  const userAgent = headers["user-agent"];
  const queryStringParameters = parseQueryString(rawQueryString);

  const event: HttpApiEventV2 = {
    version: "2.0",
    routeKey: context.routeKey,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      domainName,
      domainPrefix: domainName.split(".")[0] ?? domainName,
      http: {
        method: request.method.toUpperCase(),
        path: rawPath,
        protocol: request.protocol,
        sourceIp,
        ...(userAgent === undefined ? {} : { userAgent }),
      },
      requestId: context.requestId,
      routeKey: context.routeKey,
      stage: "$default",
      time: formatRequestTime(context.now),
      timeEpoch: context.now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (Object.keys(queryStringParameters).length > 0) event.queryStringParameters = queryStringParameters;
  if (Object.keys(context.pathParameters).length > 0) event.pathParameters = { ...context.pathParameters };
  if (request.body.length > 0) {
    if (isTextContentType(headers["content-type"])) {
      event.body = request.body.toString("utf8");
    } else {
      event.body = request.body.toString("base64");
      event.isBase64Encoded = true;
    }
  }
  return event;
}

/** An X-Ray trace header for a request that arrived without one: "Root=1-<epoch hex>-<24 hex>". */
function traceIdFor(now: Date): string {
  const epochHex = Math.floor(now.getTime() / 1000).toString(16);
  return `Root=1-${epochHex}-${randomBytes(12).toString("hex")}`;
}
