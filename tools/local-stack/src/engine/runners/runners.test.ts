/**
 * The two host runners side by side at the process level: what the real aws-lambda-ric does when things go wrong
 * before or around an invoke, the fallback client must do too (same error types, same exit status).
 */
import { rmSync } from "node:fs";
import type { FunctionDefinition } from "@lambda-images/function-config";
import { afterAll, describe, expect, test } from "vitest";
import { fixtureFunction, removeFixtureFunctions } from "../../../test/support/fixture-function.js";
import { instanceEnvironment } from "../environment.js";
import { RuntimeApiServer, type RuntimeError } from "../runtime-api/server.js";
import { createRunner } from "./index.js";
import type { RuntimeExit } from "./runner.js";

afterAll(removeFixtureFunctions);

interface RunResult {
  readonly exit: RuntimeExit;
  readonly initErrors: RuntimeError[];
  readonly invokeErrors: RuntimeError[];
  readonly output: string;
}

/** Starts one runtime process against a fresh Runtime API, optionally hands it one event, waits for its exit. */
async function runOnce(
  kind: "ric" | "fallback",
  definition: FunctionDefinition,
  options: { event?: string; dropEnv?: string } = {},
): Promise<RunResult> {
  const initErrors: RuntimeError[] = [];
  const invokeErrors: RuntimeError[] = [];
  const server = new RuntimeApiServer({
    waiting: () => {},
    initError: (error) => initErrors.push(error),
    response: () => {},
    error: (_id, error) => invokeErrors.push(error),
    responseTooLarge: () => {},
  });
  const runner = createRunner(kind);
  const environment = instanceEnvironment({
    definition,
    region: "us-east-1",
    runtimeApi: await server.listen(),
    runtimeDir: runner.runtimeDir,
    logStreamName: "2026/11/30/[$LATEST]00000000000000000000000000000000",
  });
  if (options.dropEnv) delete environment[options.dropEnv];
  const child = runner.spawn({ definition, environment });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  if (options.event !== undefined) {
    server.deliver({
      requestId: "11111111-2222-3333-4444-555555555555",
      payload: Buffer.from(options.event),
      deadlineMs: Date.now() + 10_000,
      invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:x",
    });
  }
  // A safety net for a runtime that never exits, far past any start on a loaded machine (the cases expect exits).
  const timer = setTimeout(() => child.kill(), 50_000);
  const exit = await child.exited;
  clearTimeout(timer);
  await server.close();
  return { exit, initErrors, invokeErrors, output };
}

describe.each(["ric", "fallback"] as const)("the %s runner process", (kind) => {
  test("reports a missing module as Runtime.ImportModuleError on /init/error, then exits with status 1", async () => {
    const definition = fixtureFunction("behaviours", { name: `no-bundle-${kind}` });
    rmSync(definition.bundle);
    const result = await runOnce(kind, definition);
    expect(result.exit).toMatchObject({ code: 1, signal: null });
    expect(result.initErrors.map((error) => error.reportedType)).toEqual(["Runtime.ImportModuleError"]);
    const body = JSON.parse(result.initErrors[0]?.payload.toString() ?? "{}") as Record<string, unknown>;
    expect(body.errorType).toBe("Runtime.ImportModuleError");
    expect(body.errorMessage).toMatch(/^Error: Cannot find module 'index'/);
    expect(result.output).toContain("Init Error");
  });

  test("a handler throwing at import: Error on /init/error (RAPID keeps Runtime.Unknown), exit status 1", async () => {
    const result = await runOnce(kind, fixtureFunction("init-error"));
    expect(result.exit).toMatchObject({ code: 1, signal: null });
    expect(result.initErrors.map((error) => [error.errorType, error.reportedType])).toEqual([
      ["Error", "Runtime.Unknown"],
    ]);
  });

  test("without AWS_LAMBDA_LOG_STREAM_NAME, it dies on the first invoke without reporting anything", async () => {
    const result = await runOnce(kind, fixtureFunction("behaviours"), {
      event: '{"action":"echo"}',
      dropEnv: "AWS_LAMBDA_LOG_STREAM_NAME",
    });
    expect(result.exit).toMatchObject({ code: 1, signal: null });
    expect(result.initErrors).toEqual([]);
    expect(result.invokeErrors).toEqual([]);
    expect(result.output).toContain("Missing required environment variables: AWS_LAMBDA_LOG_STREAM_NAME");
  });
});
