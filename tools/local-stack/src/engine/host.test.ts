/**
 * End-to-end through createFunctionHost, the same suite against the real aws-lambda-ric and the pure-JS fallback
 * client: real processes, a real Runtime API, fixture functions loaded through the one config module.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterAll, describe, expect, test } from "vitest";
import {
  type FixtureName,
  fixtureFunction,
  removeFixtureFunctions,
} from "../../test/support/fixture-function.js";
import { openGate } from "../../test/support/gate.js";
import type { FunctionHost, HostOptions, InvokeOutcome, InvokeRequest, RunnerKind } from "../contract.js";
import { LIMITS } from "../contract.js";
import { createFunctionHost, RequestTooLargeError } from "./host.js";

type ResponseOutcome = Extract<InvokeOutcome, { kind: "response" }>;

const hosts: FunctionHost[] = [];
afterAll(async () => {
  await Promise.all(hosts.map((host) => host.close()));
  removeFixtureFunctions();
});

interface TestHost {
  readonly host: FunctionHost;
  readonly lines: string[];
  invoke(event: unknown, extra?: Omit<InvokeRequest, "payload">): Promise<ResponseOutcome>;
}

function startHost(
  runner: RunnerKind,
  fixture: FixtureName,
  lambda: Parameters<typeof fixtureFunction>[1] = {},
  options: Omit<HostOptions, "runner" | "logSink"> = {},
): TestHost {
  const lines: string[] = [];
  const host = createFunctionHost(fixtureFunction(fixture, lambda), {
    runner,
    region: "eu-west-1",
    logSink: (line) => lines.push(line),
    ...options,
  });
  hosts.push(host);
  return {
    host,
    lines,
    async invoke(event, extra = {}) {
      const outcome = await host.invoke({ payload: Buffer.from(JSON.stringify(event)), ...extra });
      if (outcome.kind !== "response")
        throw new Error(`expected a response, got ${outcome.kind}: ${outcome.message}`);
      return outcome;
    },
  };
}

function json(outcome: ResponseOutcome): Record<string, unknown> {
  return JSON.parse(outcome.payload.toString("utf8")) as Record<string, unknown>;
}

/** Whether a process is alive (a zombie waiting to be reaped counts as gone). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

async function readAll(stream: Readable): Promise<string> {
  let text = "";
  for await (const chunk of stream as AsyncIterable<Buffer>) text += chunk.toString();
  return text;
}

describe.each<RunnerKind>(["ric", "fallback"])("with the %s runner", (runner) => {
  describe("a warm function", () => {
    const fn = startHost(runner, "behaviours", {
      memorySize: 512,
      environment: { GREETING: "hi", TZ: "Europe/Paris" },
    });

    test("gets its event, its context and the environment Lambda sets, and nothing else from the host", async () => {
      process.env.LOCAL_STACK_TEST_SECRET = "must not leak";
      const outcome = await fn.invoke(
        { action: "echo", nested: { list: [1, 2] } },
        { clientContext: '{"custom":{"who":"test"}}', tenantId: "tenant-1", traceId: "Root=1-abc;Sampled=1" },
      );
      delete process.env.LOCAL_STACK_TEST_SECRET;
      expect(outcome.functionError).toBeUndefined();
      expect(outcome.contentType).toBe("application/json");
      const body = json(outcome);
      expect(body.event).toEqual({ action: "echo", nested: { list: [1, 2] } });
      const context = body.context as Record<string, unknown>;
      expect(context.awsRequestId).toBe(outcome.requestId);
      expect(context.functionName).toBe("behaviours");
      expect(context.functionVersion).toBe("$LATEST");
      expect(context.invokedFunctionArn).toBe("arn:aws:lambda:eu-west-1:123456789012:function:behaviours");
      expect(context.memoryLimitInMB).toBe("512");
      expect(context.logGroupName).toBe("/aws/lambda/behaviours");
      expect(context.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
      expect(context.clientContext).toEqual({ custom: { who: "test" } });
      expect(context.tenantId).toBe("tenant-1");
      // The deadline the host gave: the function's timeout (10 s by default) from the start of this invoke.
      expect(context.remainingTimeInMillis).toBeGreaterThan(0);
      expect(context.remainingTimeInMillis).toBeLessThanOrEqual(10_000);
      expect(body.traceEnv).toBe("Root=1-abc;Sampled=1");
      const definition = fn.host.definition;
      expect(body.cwd).toBe(definition.distDir);
      const env = body.env as Record<string, string>;
      expect(env).toMatchObject({
        _HANDLER: "index.handler",
        AWS_REGION: "eu-west-1",
        AWS_DEFAULT_REGION: "eu-west-1",
        AWS_LAMBDA_FUNCTION_NAME: "behaviours",
        AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
        AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/behaviours",
        AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
        LAMBDA_TASK_ROOT: definition.distDir,
        GREETING: "hi",
        TZ: "Europe/Paris",
        PATH: process.env.PATH,
      });
      expect(env.AWS_LAMBDA_RUNTIME_API).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(env.LAMBDA_RUNTIME_DIR).toBeTruthy();
      expect(env.LOCAL_STACK_TEST_SECRET).toBeUndefined();
      // The test process carries Lambda-like variables from the Vitest setup; none of them may leak in.
      expect(env.POWERTOOLS_SERVICE_NAME).toBeUndefined();
    });

    test("stays warm: the second invoke reuses the instance and has no Init Duration", async () => {
      const first = await fn.invoke({ action: "echo" });
      const second = await fn.invoke({ action: "echo" });
      expect(json(second).startedAt).toBe(json(first).startedAt);
      expect(json(second).invocations).toBe((json(first).invocations as number) + 1);
      expect(second.report.initDurationMs).toBeUndefined();
      expect(second.report.reportLine).not.toContain("Init Duration");
      // Without a trace header from the caller, the runtime still gets one, as Lambda always sends it.
      expect(json(second).traceEnv).toMatch(
        /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/,
      );
    });

    test("logs START, the function's lines and END/REPORT with one request id, prefixed by the name", async () => {
      const outcome = await fn.invoke({ action: "log" }, { captureLogs: true });
      expect(outcome.payload.toString()).toBe('"logged"');
      const id = outcome.requestId;
      const own = fn.lines.filter((line) => line.includes(id) || line.includes("raw stdout"));
      expect(fn.lines.every((line) => line.startsWith("[behaviours] "))).toBe(true);
      expect(own[0]).toBe(`[behaviours] START RequestId: ${id} Version: $LATEST`);
      expect(own).toContain("[behaviours] raw stdout without newline at the end");
      expect(own.some((line) => /\tINFO\tfirst line from the handler$/.test(line))).toBe(true);
      expect(own.at(-2)).toBe(`[behaviours] END RequestId: ${id}`);
      expect(own.at(-1)).toBe(`[behaviours] ${outcome.report.reportLine}`);
      expect(outcome.report.reportLine).toMatch(
        new RegExp(
          `^REPORT RequestId: ${id}\\tDuration: \\d+\\.\\d{2} ms\\tBilled Duration: \\d+ ms\\tMemory Size: 512 MB\\tMax Memory Used: \\d+ MB$`,
        ),
      );
      expect(outcome.report.maxMemoryUsedMb).toBeGreaterThan(10);
      expect(outcome.report.maxMemoryUsedMb).toBeLessThan(512);
      expect(outcome.logTail).toContain(`START RequestId: ${id}`);
      expect(outcome.logTail).toContain("first line from the handler");
      expect(outcome.logTail).toContain(outcome.report.reportLine);
    });

    test("keeps only the last 4 KB of a long log in the tail", async () => {
      const outcome = await fn.invoke({ action: "big", bytes: 10 }, { captureLogs: true });
      expect(outcome.logTail).toBeDefined();
      const many = await fn.invoke({ action: "throw", message: "y".repeat(6000) }, { captureLogs: true });
      expect(Buffer.byteLength(many.logTail ?? "")).toBeLessThanOrEqual(LIMITS.logTailBytes);
      expect(many.logTail?.endsWith(`${many.report.reportLine}\n`)).toBe(true);
    });

    test("passes a handler error through verbatim, as Unhandled", async () => {
      const outcome = await fn.invoke({ action: "throw", message: "no such order" });
      expect(outcome.functionError).toBe("Unhandled");
      expect(outcome.errorType).toBe("TypeError");
      const body = json(outcome);
      expect(body.errorType).toBe("TypeError");
      expect(body.errorMessage).toBe("no such order");
      expect(Array.isArray(body.trace)).toBe(true);
      // A handler error is a function error, not a platform failure: no Status in the REPORT line.
      expect(outcome.report.reportLine).not.toContain("Status:");
      // The instance survives a handler error.
      expect(json(await fn.invoke({ action: "echo" })).invocations).toBeGreaterThan(1);
    });

    test("answers null for a handler that returns undefined", async () => {
      expect((await fn.invoke({ action: "undefined" })).payload.toString()).toBe("null");
    });

    test("turns a response over 6 MB into Function.ResponseSizeTooLarge", async () => {
      const outcome = await fn.invoke({ action: "big", bytes: LIMITS.responseBytes });
      expect(outcome.functionError).toBe("Unhandled");
      expect(outcome.errorType).toBe("Function.ResponseSizeTooLarge");
      expect(json(outcome)).toEqual({
        errorType: "Function.ResponseSizeTooLarge",
        errorMessage: `Response payload size (${LIMITS.responseBytes + 2} bytes) exceeded maximum allowed payload size (6291556 bytes).`,
      });
      expect(outcome.report.reportLine).toContain("Status: error\tError Type: Function.ResponseSizeTooLarge");
      // Just under the limit is fine (the JSON string adds 2 quotes).
      const fits = await fn.invoke({ action: "big", bytes: LIMITS.responseBytes - 2 });
      expect(fits.functionError).toBeUndefined();
      expect(fits.payload.length).toBe(LIMITS.responseBytes);
    });

    test("refuses a request over 6 MB before it reaches the function", async () => {
      const payload = Buffer.alloc(LIMITS.requestBytes + 1, 0x20);
      await expect(fn.host.invoke({ payload })).rejects.toBeInstanceOf(RequestTooLargeError);
    });
  });

  describe("the Node.js it runs on", () => {
    test.each([
      ["nodejs24.x", 24],
      ["nodejs22.x", 22],
    ] as const)(
      "%s: the runtime's own Node.js major, started as the managed runtime starts node",
      async (runtime, major) => {
        const fn = startHost(runner, "behaviours", { runtime, memorySize: 256 });
        const body = json(await fn.invoke({ action: "node" }));
        expect(body.version).toMatch(new RegExp(`^v${major}\\.`));
        expect(body.execArgv).toEqual([
          "--expose-gc",
          "--max-http-header-size=81920",
          "--max-semi-space-size=12",
          "--max-old-space-size=231",
          "--enable-source-maps",
        ]);
        expect(body.gc).toBe("function");
        // V8's default limit is several GB; sized from 256 MB it is about 231 MB of old space plus the young one.
        expect(body.heapLimitMb).toBeGreaterThanOrEqual(231);
        expect(body.heapLimitMb).toBeLessThan(300);
      },
    );
  });

  describe("the timeout, as Lambda counts it", () => {
    test("starts when the runtime takes the event: an init longer than the timeout is not a timeout", async () => {
      // Init 4 s, timeout 3 s: under a deadline that covered the init (as in AWS's emulator) this timed out. Both
      // leave room on a loaded machine: 6 s below the init limit, and 3 s for the handler's echo.
      const fn = startHost(runner, "behaviours", { timeout: 3, environment: { INIT_SLEEP_MS: "4000" } });
      const outcome = await fn.invoke({ action: "echo" });
      expect(outcome.functionError, outcome.payload.toString()).toBeUndefined();
      expect(outcome.report.initDurationMs).toBeGreaterThanOrEqual(3_990);
      // The runtime's deadline header was set when it took the event, not when the invoke arrived.
      const context = json(outcome).context as { remainingTimeInMillis: number };
      expect(context.remainingTimeInMillis).toBeGreaterThan(0);
      expect(context.remainingTimeInMillis).toBeLessThanOrEqual(3_000);
      expect(fn.lines.some((line) => line.includes("INIT_REPORT"))).toBe(false);
    });
  });

  describe("failures reset the instance", () => {
    // A 3-second timeout, counted from the hand-over of the event (the init has a limit of its own): short enough
    // to keep the suite quick. Only lower bounds on time are asserted.
    test("a timeout kills the instance and answers Sandbox.Timedout, Duration the whole timeout", async () => {
      const fn = startHost(runner, "behaviours", { timeout: 3 });
      const outcome = await fn.invoke({ action: "sleep", ms: 60_000 });
      expect(outcome.functionError).toBe("Unhandled");
      expect(outcome.errorType).toBe("Sandbox.Timedout");
      expect(json(outcome)).toEqual({
        errorType: "Sandbox.Timedout",
        errorMessage: `RequestId: ${outcome.requestId} Error: Task timed out after 3.00 seconds`,
      });
      expect(outcome.report.reportLine).toMatch(/\tInit Duration: [\d.]+ ms\tStatus: timeout$/);
      expect(outcome.report.durationMs).toBeGreaterThanOrEqual(2_990);
      const next = await fn.invoke({ action: "echo" });
      expect(json(next).invocations).toBe(1);
      expect(next.report.initDurationMs).toBeGreaterThan(0);
    });

    test.each([
      [{ action: "exit", code: 42 }, "Runtime exited with error: exit status 42"],
      [{ action: "exit", code: 0 }, "Runtime exited without providing a reason"],
      [{ action: "signal", signal: "SIGKILL" }, "Runtime exited with error: signal: killed"],
      [{ action: "uncaught" }, "Runtime exited with error: exit status 1"],
      [{ action: "rejection" }, "Runtime exited with error: exit status 1"],
    ])("a crash mid-invoke (%j) answers Runtime.ExitError", async (event, reason) => {
      const fn = startHost(runner, "behaviours");
      await fn.invoke({ action: "echo" });
      const outcome = await fn.invoke(event);
      expect(outcome.functionError).toBe("Unhandled");
      expect(outcome.errorType).toBe("Runtime.ExitError");
      expect(json(outcome)).toEqual({
        errorType: "Runtime.ExitError",
        errorMessage: `RequestId: ${outcome.requestId} Error: ${reason}`,
      });
      expect(outcome.report.reportLine).toMatch(/\tStatus: error\tError Type: Runtime\.ExitError$/);
      const next = await fn.invoke({ action: "echo" });
      expect(json(next).invocations).toBe(1);
    });

    test.each([
      ["the strongest mechanism here", undefined],
      ["the rss mechanism", "rss"],
    ])(
      "going past the memory size kills the runtime (signal: killed), next invoke fresh: %s",
      async (_name, forced) => {
        if (forced === undefined) delete process.env.LAMBDA_LOCAL_MEMORY_LIMIT;
        else process.env.LAMBDA_LOCAL_MEMORY_LIMIT = forced;
        const fn = startHost(runner, "allocate", { memorySize: 128 });
        const fits = json(await fn.invoke({ mb: 32 }));
        // Held after allocating: the watch of the rss mechanism may look a moment later, the invoke waits for it.
        const outcome = await fn.invoke({ mb: 350, hold: true });
        expect(outcome.functionError).toBe("Unhandled");
        expect(json(outcome)).toEqual({
          errorType: "Runtime.ExitError",
          errorMessage: `RequestId: ${outcome.requestId} Error: Runtime exited with error: signal: killed`,
        });
        expect(outcome.report.reportLine).toMatch(/\tStatus: error\tError Type: Runtime\.ExitError$/);
        const next = json(await fn.invoke({ mb: 0 }));
        delete process.env.LAMBDA_LOCAL_MEMORY_LIMIT;
        expect(next.pid).not.toBe(fits.pid);
        expect(next.heldMb).toBe(0);
      },
    );

    test("a timeout also ends the processes the function started", async () => {
      const fn = startHost(runner, "behaviours", { timeout: 3 });
      const outcome = await fn.invoke({ action: "leave-child", ms: 60_000 }, { captureLogs: true });
      expect(outcome.errorType).toBe("Sandbox.Timedout");
      const pid = Number(/child pid (\d+)/.exec(outcome.logTail ?? "")?.[1]);
      expect(pid).toBeGreaterThan(0);
      await expect.poll(() => isRunning(pid)).toBe(false);
    });

    test("an init error is the answer, and every invoke retries the init", async () => {
      const fn = startHost(runner, "init-error");
      for (let attempt = 0; attempt < 2; attempt++) {
        const outcome = await fn.invoke({});
        expect(outcome.functionError).toBe("Unhandled");
        expect(outcome.errorType).toBe("Error");
        const body = json(outcome);
        expect(body.errorType).toBe("Error");
        expect(body.errorMessage).toBe("init failed on purpose");
        expect(outcome.report.initDurationMs).toBeGreaterThan(0);
        expect(outcome.report.reportLine).toMatch(/\tStatus: error\tError Type: Runtime\.Unknown$/);
      }
      const initReports = fn.lines.filter((line) => line.includes("INIT_REPORT"));
      expect(initReports).toHaveLength(2);
      expect(initReports[0]).toMatch(
        /^\[init-error\] INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Runtime\.Unknown$/,
      );
      expect(fn.lines.some((line) => line.includes("loading a module that throws"))).toBe(true);
    });

    test("a callback-style handler is refused at init with Runtime.CallbackHandlerDeprecated", async () => {
      const fn = startHost(runner, "callback-handler");
      const outcome = await fn.invoke({});
      expect(outcome.errorType).toBe("Runtime.CallbackHandlerDeprecated");
      expect(outcome.report.reportLine).toContain("Error Type: Runtime.CallbackHandlerDeprecated");
    });

    test("a handler that is not exported is refused with Runtime.HandlerNotFound", async () => {
      const fn = startHost(runner, "behaviours", { handler: "missing" });
      const outcome = await fn.invoke({});
      expect(outcome.errorType).toBe("Runtime.HandlerNotFound");
      expect(json(outcome).errorMessage).toBe("index.missing is undefined or not exported");
    });
  });

  describe("concurrency", () => {
    test("8 concurrent invokes on 2 instances all succeed, queued in order", async () => {
      const fn = startHost(runner, "behaviours", {}, { maxInstances: 2 });
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, (_, index) => fn.invoke({ action: "sleep", ms: 100 + index })),
      );
      const bodies = outcomes.map(json);
      expect(bodies.map((body) => body.slept)).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
      expect(new Set(bodies.map((body) => body.pid)).size).toBe(2);
      expect(outcomes.filter((outcome) => outcome.report.initDurationMs !== undefined)).toHaveLength(2);
      expect(new Set(outcomes.map((outcome) => outcome.requestId)).size).toBe(8);
    });

    test("past the queue bound, invokes are throttled", async () => {
      const fn = startHost(runner, "behaviours", {}, { maxInstances: 1, maxQueue: 1 });
      const payload = Buffer.from(JSON.stringify({ action: "sleep", ms: 300 }));
      const outcomes = await Promise.all([0, 1, 2].map(() => fn.host.invoke({ payload })));
      expect(outcomes.map((outcome) => outcome.kind)).toEqual(["response", "response", "throttled"]);
      const throttled = outcomes[2];
      expect(throttled?.kind === "throttled" && throttled.message).toMatch(/1 instances are busy/);
    });

    test("recycle stops the instances: the next invoke is a cold start", async () => {
      const fn = startHost(runner, "behaviours");
      const before = await fn.invoke({ action: "echo" });
      await fn.host.recycle();
      const after = await fn.invoke({ action: "echo" });
      expect(json(after).invocations).toBe(1);
      expect(json(after).startedAt).not.toBe(json(before).startedAt);
      expect(after.report.initDurationMs).toBeGreaterThan(0);
    });
  });

  describe("response streaming", () => {
    test("an accepting caller reads each chunk before the function may write the next, then the report", async () => {
      const gate = await openGate();
      try {
        const fn = startHost(runner, "streaming");
        const outcome = await fn.invoke({ chunks: 3, size: 4, gate: gate.url }, { acceptStream: true });
        const stream = outcome.stream;
        if (stream === undefined || outcome.streamCompletion === undefined)
          throw new Error("expected a stream");
        expect(outcome.contentType).toBe("text/plain");
        let received = "";
        let completed = false;
        void outcome.streamCompletion.then(() => {
          completed = true;
        });
        stream.on("data", (chunk: Buffer) => {
          received += chunk.toString();
        });
        // The function is held at the gate after each write: what the caller has read by then was streamed,
        // not buffered until the end.
        for (const [index, expected] of ["0000|", "0000|1111|", "0000|1111|2222|"].entries()) {
          await gate.reached(index);
          await expect.poll(() => received).toBe(expected);
          expect(completed).toBe(false);
          gate.release(index);
        }
        const completion = await outcome.streamCompletion;
        expect(received).toBe("0000|1111|2222|");
        expect(completion.errorType).toBeUndefined();
        expect(fn.lines.at(-1)).toBe(`[streaming] ${completion.report.reportLine}`);
      } finally {
        await gate.close();
      }
    });

    test("a mid-stream failure ends the stream and reports the error in the completion", async () => {
      const fn = startHost(runner, "streaming");
      const outcome = await fn.invoke({ chunks: 2, fail: true }, { acceptStream: true });
      if (outcome.stream === undefined || outcome.streamCompletion === undefined)
        throw new Error("no stream");
      const [text, completion] = await Promise.all([readAll(outcome.stream), outcome.streamCompletion]);
      expect(text).toBe("0000|1111|");
      expect(completion.errorType).toBe("RangeError");
      expect(JSON.parse(completion.errorPayload?.toString() ?? "{}")).toMatchObject({
        errorType: "RangeError",
        errorMessage: "stream failed on purpose",
      });
    });

    test("a caller that walks away mid-stream does not stop the function or the host", async () => {
      const fn = startHost(runner, "streaming");
      const outcome = await fn.invoke({ chunks: 4, size: 20_000, delayMs: 20 }, { acceptStream: true });
      if (outcome.stream === undefined || outcome.streamCompletion === undefined)
        throw new Error("no stream");
      const stream = outcome.stream;
      await new Promise((resolve) => stream.once("data", resolve));
      stream.destroy();
      const completion = await outcome.streamCompletion;
      expect(completion.errorType).toBeUndefined();
      expect((await fn.invoke({ chunks: 1 })).payload.toString()).toBe("0000|");
    });

    test("a caller that does not accept a stream gets the whole body, prelude included", async () => {
      const fn = startHost(runner, "streaming");
      const outcome = await fn.invoke({ chunks: 2, http: true });
      expect(outcome.stream).toBeUndefined();
      expect(outcome.contentType).toBe("application/vnd.awslambda.http-integration-response");
      const prelude = JSON.stringify({ statusCode: 201, headers: { "x-streamed": "yes" } });
      expect(
        outcome.payload.equals(
          Buffer.concat([Buffer.from(prelude), Buffer.alloc(8), Buffer.from("0000|1111|")]),
        ),
      ).toBe(true);
      const failed = await fn.invoke({ chunks: 1, fail: true });
      expect(failed.functionError).toBe("Unhandled");
      expect(failed.errorType).toBe("RangeError");
    });
  });
});

// Lambda's init limit (10 s) is the engine's, the same for every runner: tried with the real runtime client only.
describe.concurrent("an init past Lambda's 10-second init limit", () => {
  const initLimitLine = /^\[[\w-]+\] INIT_REPORT Init Duration: 10000\.00 ms\tPhase: init\tStatus: timeout$/;

  test("is logged with INIT_REPORT Status: timeout, and goes on under the function's timeout", async () => {
    const fn = startHost("ric", "behaviours", {
      name: "init-past-limit",
      // Far past what the rest of the start takes on a loaded machine: only the init's 11 s may pass the limit.
      timeout: 60,
      environment: { INIT_SLEEP_MS: "11000" },
    });
    const outcome = await fn.invoke({ action: "echo" });
    expect(outcome.functionError, outcome.payload.toString()).toBeUndefined();
    expect(outcome.report.initDurationMs).toBeGreaterThanOrEqual(10_990);
    const initReport = fn.lines.findIndex((line) => initLimitLine.test(line));
    const start = fn.lines.findIndex((line) => line.includes("START RequestId:"));
    expect(initReport, fn.lines.join("\n")).toBeGreaterThanOrEqual(0);
    expect(initReport).toBeLessThan(start);
  });

  test("times out at the limit plus the function's timeout when it is still not done", async () => {
    const fn = startHost("ric", "behaviours", {
      name: "init-never-done",
      timeout: 1,
      environment: { INIT_SLEEP_MS: "60000" },
    });
    const outcome = await fn.invoke({ action: "echo" });
    expect(outcome.errorType).toBe("Sandbox.Timedout");
    expect(outcome.report.reportLine).toMatch(/\tStatus: timeout$/);
    expect(outcome.report.initDurationMs).toBeGreaterThanOrEqual(10_990);
    expect(fn.lines.filter((line) => initLimitLine.test(line))).toHaveLength(1);
  });
});

describe("a function that was not built", () => {
  test("answers Runtime.InvalidEntrypoint with the command to build it", async () => {
    const definition = fixtureFunction("behaviours", { name: "unbuilt" });
    const host = createFunctionHost(
      { ...definition, bundle: join(definition.distDir, "nope.mjs") },
      {
        runner: "fallback",
        logSink: () => {},
      },
    );
    hosts.push(host);
    const outcome = await host.invoke({ payload: Buffer.from("{}") });
    if (outcome.kind !== "response") throw new Error("expected a response");
    expect(outcome.errorType).toBe("Runtime.InvalidEntrypoint");
    expect(outcome.payload.toString()).toContain("pnpm --filter @fixtures/unbuilt build");
  });
});

describe.each<RunnerKind>(["ric", "fallback"])(
  "an HTTP API function (the write-up's hello, as a fixture) with the %s runner",
  (runner) => {
    test("answers its write-up event", async () => {
      const lines: string[] = [];
      const host = createFunctionHost(fixtureFunction("greeter", { name: "hello", routes: ["GET /hello"] }), {
        runner,
        logSink: (line) => lines.push(line),
      });
      hosts.push(host);
      const event = {
        version: "2.0",
        routeKey: "GET /hello",
        rawPath: "/hello",
        rawQueryString: "name=Ada",
        queryStringParameters: { name: "Ada" },
        requestContext: { http: { method: "GET", path: "/hello" } },
      };
      const outcome = await host.invoke({ payload: Buffer.from(JSON.stringify(event)) });
      if (outcome.kind !== "response") throw new Error("expected a response");
      expect(outcome.functionError).toBeUndefined();
      const body = JSON.parse(outcome.payload.toString()) as { statusCode: number; body: string };
      expect(body.statusCode).toBe(200);
      expect(body.body).toContain("Ada");
      expect(lines.some((line) => line.startsWith("[hello] REPORT RequestId:"))).toBe(true);
    });
  },
);
