import type { FunctionDefinition } from "@lambda-images/function-config";
import { describe, expect, it } from "vitest";
import { addTestFunction, createTestWorkspace } from "../../test/support/test-workspace.js";
import { changeLine, diffFunction } from "./config-diff.js";

const root = createTestWorkspace("config-diff-");
/** A definition loaded by the real config loader from a "lambda" block. */
function fn(lambda: Record<string, unknown>): FunctionDefinition {
  return addTestFunction(root, { name: "hello", lambda });
}

describe("diffFunction", () => {
  it("finds nothing between two loads of the same config", () => {
    const config = { routes: ["GET /a"], timeout: 5, environment: { A: "1" } };
    expect(diffFunction(fn(config), fn(config))).toEqual({
      descriptions: [],
      routes: false,
      instances: false,
      functionUrl: false,
      build: false,
    });
  });

  it("describes added and removed routes; only the route table changes", () => {
    const changes = diffFunction(fn({ routes: ["GET /a", "GET /b"] }), fn({ routes: ["GET /a", "POST /c"] }));
    expect(changes.descriptions).toEqual(["routes POST /c added", "routes GET /b removed"]);
    expect(changes).toMatchObject({ routes: true, instances: false, functionUrl: false, build: false });
  });

  it("recycles for memory, timeout, environment and runtime, naming variables but never their values", () => {
    const changes = diffFunction(
      fn({ memorySize: 128, timeout: 5, environment: { KEEP: "1", SECRET: "old", GONE: "x" } }),
      fn({
        memorySize: 256,
        timeout: 10,
        runtime: "nodejs22.x",
        environment: { KEEP: "1", SECRET: "new", NEW: "y" },
      }),
    );
    expect(changeLine("hello", changes.descriptions)).toBe(
      "[config] hello: memory 128 -> 256 MB; timeout 5 -> 10 s; environment NEW added; environment GONE removed; " +
        "environment SECRET changed; runtime nodejs24.x -> nodejs22.x",
    );
    expect(changes.descriptions.join(" ")).not.toMatch(/old|new\b/);
    expect(changes).toMatchObject({ routes: false, instances: true, functionUrl: false, build: false });
  });

  it("describes a Function URL added, changed and removed", () => {
    const added = diffFunction(fn({}), fn({ functionUrl: {} }));
    expect(added.descriptions).toEqual(["Function URL added (BUFFERED, auth AWS_IAM)"]);
    expect(added).toMatchObject({ functionUrl: true, instances: false });
    const changed = diffFunction(
      fn({ functionUrl: {} }),
      fn({ functionUrl: { invokeMode: "RESPONSE_STREAM" } }),
    );
    expect(changed.descriptions).toEqual([
      "Function URL BUFFERED, auth AWS_IAM -> RESPONSE_STREAM, auth AWS_IAM",
    ]);
    expect(diffFunction(fn({ functionUrl: {} }), fn({})).descriptions).toEqual(["Function URL removed"]);
  });

  it("restarts the build for a new entry or build options", () => {
    const changes = diffFunction(fn({}), fn({ build: { minify: false } }));
    expect(changes.descriptions).toEqual(["build options changed"]);
    expect(changes.build).toBe(true);
  });
});
