/**
 * LocalStack.update (dev's live config reload) through the real engine: routes, environment, new and removed
 * functions and Function URLs change while the stack serves, and an invoke running on the old config finishes.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type FunctionDefinition, loadFunction } from "@lambda-images/function-config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openGate } from "../test/support/gate.js";
import { addTestFunction, createTestWorkspace } from "../test/support/test-workspace.js";
import { type LocalStack, startStack } from "./stack.js";

const root = createTestWorkspace("stack-update-");
// Answers its STAGE variable; with a gate in the event, waits there first.
const bundle =
  "export const handler = async (event) => {\n" +
  "  if (event.gate) await fetch(event.gate + '/held');\n" +
  "  return { statusCode: 200, body: JSON.stringify({ stage: process.env.STAGE ?? null, route: event.routeKey }) };\n};\n";
const first = addTestFunction(root, { name: "first", lambda: { routes: ["GET /a"] }, bundle });
const second = addTestFunction(root, { name: "second", bundle });

/** The function's definition after its "lambda" block is rewritten, read back through the config loader. */
function reconfigure(fn: FunctionDefinition, lambda: Record<string, unknown>): FunctionDefinition {
  writeFileSync(
    join(fn.dir, "package.json"),
    JSON.stringify({
      name: `@test/${fn.name}`,
      version: "1.0.0",
      type: "module",
      lambda: { name: fn.name, ...lambda },
    }),
  );
  return loadFunction(fn.dir);
}

let stack: LocalStack;
beforeAll(async () => {
  stack = await startStack({
    functions: [first],
    hostOptions: { runner: "fallback", logSink: () => {} },
    invokePort: 0,
    httpPort: 0,
    functionUrlPort: 0,
    log: () => {},
  });
});
afterAll(() => stack.close());

async function invoke(name: string, event: unknown = {}) {
  const response = await fetch(`${stack.invokeUrl}/2015-03-31/functions/${name}/invocations`, {
    method: "POST",
    body: JSON.stringify(event),
  });
  return { status: response.status, body: (await response.json()) as { body?: string } };
}

describe("LocalStack.update", () => {
  it("serves a new route and new settings; an invoke running on the old ones finishes with them", async () => {
    expect((await fetch(`${stack.httpUrl}/b`)).status).toBe(404);
    const gate = await openGate();
    try {
      const running = invoke("first", { gate: gate.url });
      await gate.reached("held");
      await stack.update([
        reconfigure(first, { routes: ["GET /a", "GET /b"], environment: { STAGE: "new" } }),
      ]);
      gate.release("held");
      expect(JSON.parse((await running).body.body ?? "")).toEqual({ stage: null });
    } finally {
      await gate.close();
    }
    expect(stack.routes.map((route) => route.routeKey)).toEqual(["GET /a", "GET /b"]);
    const response = await fetch(`${stack.httpUrl}/b`);
    expect(await response.json()).toEqual({ stage: "new", route: "GET /b" });
  });

  it("adds a function with its Event queue and Function URL, and removes one", async () => {
    const withUrl = reconfigure(second, { functionUrl: { authType: "NONE" } });
    const current = reconfigure(first, { routes: ["GET /a", "GET /b"], environment: { STAGE: "new" } });
    await stack.update([current, withUrl]);
    expect((await invoke("second")).status).toBe(200);
    expect(stack.eventQueues.has("second")).toBe(true);
    const url = stack.functionUrls.get("second");
    expect((await fetch(`${url}x`)).status).toBe(200);

    await stack.update([withUrl]);
    expect((await invoke("first")).status).toBe(404);
    expect((await fetch(`${stack.httpUrl}/a`)).status).toBe(404);
    expect(stack.eventQueues.has("first")).toBe(false);

    await stack.update([reconfigure(second, {})]);
    expect(stack.functionUrls.has("second")).toBe(false);
    await expect(fetch(`${url}x`)).rejects.toThrow();
  });
});
