/**
 * The HTTP API route table: the routes every function declares in its config, matched the way API Gateway
 * matches them (most specific route first). Pure: no I/O.
 */
import type { FunctionDefinition } from "@lambda-images/function-config";

type Segment =
  | { readonly kind: "literal"; readonly value: string }
  | { readonly kind: "param"; readonly name: string }
  | { readonly kind: "greedy"; readonly name: string };

export interface RouteEntry {
  /** "GET /orders/{id}", as written in the function's config. */
  readonly routeKey: string;
  /** The HTTP method, or "ANY". */
  readonly method: string;
  readonly path: string;
  readonly functionName: string;
  readonly segments: readonly Segment[];
}

export interface RouteMatch {
  readonly route: RouteEntry;
  /** Decoded path parameter values by name; empty when the route has none. */
  readonly pathParameters: Readonly<Record<string, string>>;
}

function parseSegments(path: string): Segment[] {
  return splitPath(path).map((part): Segment => {
    const variable = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(part);
    if (!variable) return { kind: "literal", value: part };
    const name = variable[1] ?? "";
    return variable[2] === "+" ? { kind: "greedy", name } : { kind: "param", name };
  });
}

/** "/a/b/" -> ["a", "b", ""]: a trailing slash is a distinct (empty) last segment, as in API Gateway. */
function splitPath(path: string): string[] {
  if (path === "/" || path === "") return [];
  return path.replace(/^\//, "").split("/");
}

/** Builds the route table from every function's config (the same routes the infra deploys). */
export function buildRouteTable(functions: readonly FunctionDefinition[]): RouteEntry[] {
  const table: RouteEntry[] = [];
  for (const fn of functions) {
    for (const route of fn.routes) {
      table.push({
        routeKey: route.routeKey,
        method: route.method,
        path: route.path,
        functionName: fn.name,
        segments: parseSegments(route.path),
      });
    }
  }
  return table.sort(compareSpecificity);
}

const SEGMENT_RANK = { literal: 0, param: 1, greedy: 2 } as const;

/**
 * Orders routes most specific first: segment by segment a literal beats `{param}`, which beats `{proxy+}`;
 * then more segments beat fewer; then a named method beats ANY.
 */
function compareSpecificity(a: RouteEntry, b: RouteEntry): number {
  const shared = Math.min(a.segments.length, b.segments.length);
  for (let index = 0; index < shared; index++) {
    const rankA = SEGMENT_RANK[(a.segments[index] as Segment).kind];
    const rankB = SEGMENT_RANK[(b.segments[index] as Segment).kind];
    if (rankA !== rankB) return rankA - rankB;
  }
  if (a.segments.length !== b.segments.length) return b.segments.length - a.segments.length;
  if ((a.method === "ANY") !== (b.method === "ANY")) return a.method === "ANY" ? 1 : -1;
  return a.routeKey.localeCompare(b.routeKey);
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function matchSegments(
  segments: readonly Segment[],
  parts: readonly string[],
): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (let index = 0; index < segments.length; index++) {
    const segment = segments[index] as Segment;
    const part = parts[index];
    if (segment.kind === "greedy") {
      const rest = parts.slice(index);
      if (rest.length === 0 || (rest.length === 1 && rest[0] === "")) return undefined;
      parameters[segment.name] = rest.map(decodeSegment).join("/");
      return parameters;
    }
    if (part === undefined) return undefined;
    if (segment.kind === "literal") {
      if (decodeSegment(part) !== segment.value) return undefined;
    } else {
      if (part === "") return undefined;
      parameters[segment.name] = decodeSegment(part);
    }
  }
  return parts.length === segments.length ? parameters : undefined;
}

/**
 * The most specific route for a request, or undefined (API Gateway then answers 404). `rawPath` is the path as
 * received, still percent-encoded; parameters are decoded.
 */
export function matchRoute(
  table: readonly RouteEntry[],
  method: string,
  rawPath: string,
): RouteMatch | undefined {
  const parts = splitPath(rawPath);
  const upperMethod = method.toUpperCase();
  for (const route of table) {
    if (route.method !== "ANY" && route.method !== upperMethod) continue;
    const pathParameters = matchSegments(route.segments, parts);
    if (pathParameters) return { route, pathParameters };
  }
  return undefined;
}
