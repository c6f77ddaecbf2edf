import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type FunctionDefinition, loadFunction } from "@lambda-images/function-config";
import { describe, expect, it } from "vitest";
import { buildRouteTable, matchRoute } from "./routes.js";

/** A real function definition (through the config loader) that declares `routes`. */
function functionWithRoutes(name: string, routes: string[]): FunctionDefinition {
  const dir = mkdtempSync(join(tmpdir(), `routes-${name}-`));
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({ name: `@test/${name}`, version: "1.0.0", lambda: { name, routes } }),
  );
  return loadFunction(dir);
}

const table = buildRouteTable([
  functionWithRoutes("pets", ["GET /pets", "GET /pets/{id}", "GET /pets/dog/1", "ANY /pets/{id}/toys"]),
  functionWithRoutes("files", ["ANY /files/{proxy+}", "GET /files/readme"]),
  functionWithRoutes("orders", ["POST /orders", "ANY /orders", "GET /"]),
]);

function resolve(method: string, path: string) {
  const match = matchRoute(table, method, path);
  return (
    match && { routeKey: match.route.routeKey, fn: match.route.functionName, params: match.pathParameters }
  );
}

describe("matchRoute", () => {
  it("matches a literal route and reports no path parameters", () => {
    expect(resolve("GET", "/pets")).toEqual({ routeKey: "GET /pets", fn: "pets", params: {} });
  });

  it("fills {id} from the path, decoded", () => {
    expect(resolve("GET", "/pets/bella%20rose")).toEqual({
      routeKey: "GET /pets/{id}",
      fn: "pets",
      params: { id: "bella rose" },
    });
  });

  it("prefers the fully literal route over a path variable", () => {
    expect(resolve("GET", "/pets/dog/1")?.routeKey).toBe("GET /pets/dog/1");
  });

  it("gives {proxy+} every remaining segment, and a literal sibling still wins", () => {
    expect(resolve("DELETE", "/files/a/b/c.txt")).toEqual({
      routeKey: "ANY /files/{proxy+}",
      fn: "files",
      params: { proxy: "a/b/c.txt" },
    });
    expect(resolve("GET", "/files/readme")?.routeKey).toBe("GET /files/readme");
    expect(resolve("POST", "/files/readme")?.routeKey).toBe("ANY /files/{proxy+}");
  });

  it("does not let {proxy+} match an empty remainder", () => {
    expect(resolve("GET", "/files")).toBeUndefined();
    expect(resolve("GET", "/files/")).toBeUndefined();
  });

  it("prefers a named method over ANY on the same path", () => {
    expect(resolve("POST", "/orders")?.routeKey).toBe("POST /orders");
    expect(resolve("PUT", "/orders")?.routeKey).toBe("ANY /orders");
  });

  it("matches ANY for any method, and a route with a variable in the middle", () => {
    expect(resolve("PATCH", "/pets/7/toys")).toEqual({
      routeKey: "ANY /pets/{id}/toys",
      fn: "pets",
      params: { id: "7" },
    });
  });

  it("finds nothing for an unknown path, a wrong method, extra segments or a trailing slash", () => {
    expect(resolve("GET", "/nope")).toBeUndefined();
    expect(resolve("DELETE", "/pets")).toBeUndefined();
    expect(resolve("GET", "/pets/1/2")).toBeUndefined();
    expect(resolve("GET", "/pets/")).toBeUndefined();
  });

  it("matches the root route only for /", () => {
    expect(resolve("GET", "/")?.routeKey).toBe("GET /");
  });

  it("is case-insensitive about the method and case-sensitive about the path", () => {
    expect(resolve("get", "/pets")?.routeKey).toBe("GET /pets");
    expect(resolve("GET", "/Pets")).toBeUndefined();
  });
});
