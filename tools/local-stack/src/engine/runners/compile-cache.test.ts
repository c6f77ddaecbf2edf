/**
 * The compile cache lambda-build fills at build time (verifyHandler imports the bundle on the runtime's Node.js with
 * the managed runtime's flags) is the one the ric runner's runtime reads: Node's own compile-cache log, turned on in
 * the runtime through the function's environment, says whether V8 accepted the bundle's entry. A stale entry (the
 * bundle changed after the build) or no cache at all only means compiling again.
 */
import { appendFileSync, existsSync, rmSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { verifyHandler } from "@lambda-images/build";
import { compileCacheDir, type FunctionDefinition } from "@lambda-images/function-config";
import { afterAll, describe, expect, test } from "vitest";
import { fixtureFunction, removeFixtureFunctions } from "../../../test/support/fixture-function.js";
import { createFunctionHost } from "../host.js";

afterAll(removeFixtureFunctions);

const EVENT = JSON.stringify({
  version: "2.0",
  rawPath: "/hello",
  queryStringParameters: { name: "Chris" },
  requestContext: { http: { method: "GET" } },
});

/** One cold start with Node's compile-cache log on; what the runtime printed about the bundle's cache entry. */
async function coldStart(definition: FunctionDefinition): Promise<{ status: number; cacheLines: string[] }> {
  const logged = {
    ...definition,
    environment: { ...definition.environment, NODE_DEBUG_NATIVE: "COMPILE_CACHE" },
  };
  const lines: string[] = [];
  const host = createFunctionHost(logged, { runner: "ric", logSink: (line) => lines.push(line) });
  try {
    const outcome = await host.invoke({ payload: Buffer.from(EVENT) });
    if (outcome.kind !== "response" || outcome.functionError !== undefined) {
      throw new Error(`the cold start failed: ${JSON.stringify(outcome)}`);
    }
    const body = JSON.parse(outcome.payload.toString()) as { statusCode: number };
    const bundleUrl = pathToFileURL(definition.bundle).href;
    return { status: body.statusCode, cacheLines: lines.filter((line) => line.includes(bundleUrl)) };
  } finally {
    await host.close();
  }
}

describe("the compile cache of the ric runner", () => {
  test("a build fills it and the runtime loads the bundle's compiled code from it", async () => {
    const definition = fixtureFunction("greeter", { name: "cache-hit" });
    await verifyHandler(definition, ["handler"]);
    expect(existsSync(compileCacheDir(definition.dir))).toBe(true);
    const { status, cacheLines } = await coldStart(definition);
    expect(status).toBe(200);
    expect(cacheLines.some((line) => /code cache for ESM .* was accepted/.test(line))).toBe(true);
  });

  test("a stale entry (the bundle changed after the build) is not used, and the function still starts", async () => {
    const definition = fixtureFunction("greeter", { name: "cache-stale" });
    await verifyHandler(definition, ["handler"]);
    appendFileSync(definition.bundle, "\n// changed after the build\n");
    const { status, cacheLines } = await coldStart(definition);
    expect(status).toBe(200);
    expect(cacheLines.length).toBeGreaterThan(0);
    expect(cacheLines.some((line) => /was accepted/.test(line))).toBe(false);
  });

  test("without a cache folder the runtime gets no NODE_COMPILE_CACHE and starts as before", async () => {
    const definition = fixtureFunction("greeter", { name: "cache-none" });
    rmSync(compileCacheDir(definition.dir), { recursive: true, force: true });
    const { status, cacheLines } = await coldStart(definition);
    expect(status).toBe(200);
    expect(cacheLines).toEqual([]);
  });
});
