import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  discoverFunctions,
  FunctionConfigError,
  findFunction,
  findWorkspaceRoot,
  loadFunction,
} from "./index.js";

function workspace(functions: Record<string, unknown>): string {
  const root = mkdtempSync(join(tmpdir(), "function-config-"));
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages:\n  - functions/*\n");
  for (const [folder, pkg] of Object.entries(functions)) {
    mkdirSync(join(root, "functions", folder), { recursive: true });
    writeFileSync(
      join(root, "functions", folder, "package.json"),
      typeof pkg === "string" ? pkg : JSON.stringify(pkg),
    );
  }
  return root;
}

const fnPackage = (lambda: unknown, name = "@example/fn") => ({ name, version: "1.2.3", lambda });

describe("loadFunction", () => {
  it("fills every default from the schema and derives paths and names", () => {
    const root = workspace({ greeter: fnPackage({}) });
    const fn = loadFunction(join(root, "functions", "greeter"));
    expect(fn).toMatchObject({
      name: "greeter",
      packageName: "@example/fn",
      version: "1.2.3",
      handlerExport: "handler",
      lambdaHandler: "index.handler",
      runtime: "nodejs24.x",
      strategy: "aws-base",
      memorySize: 256,
      timeout: 10,
      architecture: "x86_64",
      routes: [],
      environment: {},
      build: { external: [], minify: true, sourcemap: true },
    });
    expect(fn.entry).toBe(join(root, "functions", "greeter", "src", "index.ts"));
    expect(fn.bundle).toBe(join(root, "functions", "greeter", "dist", "index.mjs"));
    expect(fn.distDir).toBe(join(root, "functions", "greeter", "dist"));
  });

  it("parses routes into method and path", () => {
    const root = workspace({
      api: fnPackage({ routes: ["GET /items/{id}", "ANY /files/{proxy+}", "POST /"] }),
    });
    expect(loadFunction(join(root, "functions", "api")).routes).toEqual([
      { routeKey: "GET /items/{id}", method: "GET", path: "/items/{id}" },
      { routeKey: "ANY /files/{proxy+}", method: "ANY", path: "/files/{proxy+}" },
      { routeKey: "POST /", method: "POST", path: "/" },
    ]);
  });

  it("reports every problem at once, naming the file and the field", () => {
    const root = workspace({
      bad: fnPackage({
        logRetentionDays: 10,
        timeout: 1000,
        strategy: "alpine",
        runtime: "nodejs20.x",
        routes: ["/hello"],
        memorySize: 64,
        extra: true,
      }),
    });
    const error = (() => {
      try {
        loadFunction(join(root, "functions", "bad"));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(FunctionConfigError);
    const message = (error as Error).message;
    expect(message).toContain(join(root, "functions", "bad", "package.json"));
    expect(message).toMatch(/lambda\.timeout: .*900/);
    expect(message).toMatch(
      /lambda\.logRetentionDays: must be a period CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30/,
    );
    expect(message).toMatch(/lambda\.strategy: .*aws-base.*os-only.*non-aws/);
    expect(message).toMatch(/lambda\.runtime: .*nodejs24\.x.*nodejs22\.x/);
    expect(message).toMatch(/lambda\.routes\.0: must look like "GET \/hello"/);
    expect(message).toMatch(/lambda\.memorySize: .*128/);
    expect(message).toMatch(/extra/);
  });

  it("refuses reserved environment variables and duplicate routes", () => {
    const root = workspace({
      env: fnPackage({ environment: { AWS_REGION: "x", OK_NAME: "y" }, routes: ["GET /a", "GET /a"] }),
    });
    expect(() => loadFunction(join(root, "functions", "env"))).toThrow(
      /lambda\.environment\.AWS_REGION.*set by Lambda/,
    );
    const dup = workspace({ dup: fnPackage({ routes: ["GET /a", "GET /a"] }) });
    expect(() => loadFunction(join(dup, "functions", "dup"))).toThrow(/"GET \/a" is listed twice/);
  });

  it("explains a missing lambda block, broken JSON and a bad folder name", () => {
    const root = workspace({
      plain: { name: "x", version: "1.0.0" },
      broken: "{ not json",
      Bad_Name: fnPackage({}),
    });
    expect(() => loadFunction(join(root, "functions", "plain"))).toThrow(/has no "lambda" block/);
    expect(() => loadFunction(join(root, "functions", "broken"))).toThrow(/is not valid JSON/);
    expect(() => loadFunction(join(root, "functions", "Bad_Name"))).toThrow(
      /folder name "Bad_Name".*lambda\.name/,
    );
    expect(() => loadFunction(join(root, "functions", "missing"))).toThrow(/cannot be read/);
  });
});

describe("triggers: sqs and functionUrl", () => {
  const load = (lambda: unknown) => {
    const root = workspace({ fn: fnPackage(lambda) });
    return loadFunction(join(root, "functions", "fn"));
  };
  const problemsOf = (lambda: unknown): string => {
    try {
      load(lambda);
    } catch (error) {
      if (error instanceof FunctionConfigError) return error.problems.join("\n");
      throw error;
    }
    throw new Error("expected the config to be refused");
  };

  it("leaves both out of the definition when the config has neither", () => {
    const fn = load({ routes: ["GET /a"] });
    expect(fn).not.toHaveProperty("sqs");
    expect(fn).not.toHaveProperty("functionUrl");
  });

  it("fills the sqs defaults: batches of 10, no batching window, 3 receives before the DLQ", () => {
    expect(load({ sqs: {} }).sqs).toEqual({ batchSize: 10, maxBatchingWindowSeconds: 0, maxReceiveCount: 3 });
    expect(load({ sqs: { batchSize: 500, maxBatchingWindowSeconds: 30, maxReceiveCount: 5 } }).sqs).toEqual({
      batchSize: 500,
      maxBatchingWindowSeconds: 30,
      maxReceiveCount: 5,
    });
  });

  it("fills the functionUrl defaults: buffered, IAM-signed", () => {
    expect(load({ functionUrl: {} }).functionUrl).toEqual({ invokeMode: "BUFFERED", authType: "AWS_IAM" });
    expect(load({ functionUrl: { invokeMode: "RESPONSE_STREAM", authType: "NONE" } }).functionUrl).toEqual({
      invokeMode: "RESPONSE_STREAM",
      authType: "NONE",
    });
  });

  it("accepts the bounds of each sqs field and refuses one past them, naming the field", () => {
    expect(load({ sqs: { batchSize: 1, maxReceiveCount: 1 } }).sqs).toMatchObject({ batchSize: 1 });
    expect(
      load({ sqs: { batchSize: 10000, maxBatchingWindowSeconds: 300, maxReceiveCount: 1000 } }).sqs,
    ).toMatchObject({ batchSize: 10000, maxBatchingWindowSeconds: 300, maxReceiveCount: 1000 });
    const tooBig = problemsOf({
      sqs: { batchSize: 10001, maxBatchingWindowSeconds: 301, maxReceiveCount: 1001 },
    });
    expect(tooBig).toMatch(/lambda\.sqs\.batchSize: .*10000/);
    expect(tooBig).toMatch(/lambda\.sqs\.maxBatchingWindowSeconds: .*300/);
    expect(tooBig).toMatch(/lambda\.sqs\.maxReceiveCount: .*1000/);
    const tooSmall = problemsOf({ sqs: { batchSize: 0, maxBatchingWindowSeconds: -1, maxReceiveCount: 0 } });
    expect(tooSmall).toMatch(/lambda\.sqs\.batchSize: .*1/);
    expect(tooSmall).toMatch(/lambda\.sqs\.maxBatchingWindowSeconds: .*0/);
    expect(tooSmall).toMatch(/lambda\.sqs\.maxReceiveCount: .*1/);
    expect(problemsOf({ sqs: { batchSize: 2.5 } })).toMatch(/lambda\.sqs\.batchSize: .*int/i);
    expect(problemsOf({ sqs: { queueName: "x" } })).toMatch(/queueName/);
  });

  it("refuses a batch above 10 without a batching window, and says how to fix it", () => {
    expect(problemsOf({ sqs: { batchSize: 11 } })).toBe(
      "lambda.sqs.batchSize is 11: above 10, Lambda requires a batching window. Set " +
        "lambda.sqs.maxBatchingWindowSeconds to at least 1, or lower batchSize to 10 or less.",
    );
    expect(load({ sqs: { batchSize: 11, maxBatchingWindowSeconds: 1 } }).sqs?.batchSize).toBe(11);
  });

  it("refuses unknown invoke modes and auth types, listing the ones there are", () => {
    const problems = problemsOf({ functionUrl: { invokeMode: "STREAM", authType: "IAM" } });
    expect(problems).toMatch(/lambda\.functionUrl\.invokeMode: .*BUFFERED.*RESPONSE_STREAM/);
    expect(problems).toMatch(/lambda\.functionUrl\.authType: .*NONE.*AWS_IAM/);
  });

  it("refuses sqs together with routes, with a message that says which to keep", () => {
    expect(problemsOf({ routes: ["POST /orders"], sqs: {} })).toMatch(
      /^lambda\.sqs and lambda\.routes are both set: .*Keep one/,
    );
    // An empty routes list is no HTTP trigger.
    expect(load({ routes: [], sqs: {} }).sqs?.batchSize).toBe(10);
  });

  it("refuses sqs together with a Function URL", () => {
    expect(problemsOf({ sqs: {}, functionUrl: {} })).toMatch(
      /^lambda\.sqs and lambda\.functionUrl are both set: .*Keep one/,
    );
  });

  it("lets routes and a Function URL sit together", () => {
    const both = load({ routes: ["GET /report"], functionUrl: { invokeMode: "RESPONSE_STREAM" } });
    expect(both.routes.map((r) => r.routeKey)).toEqual(["GET /report"]);
    expect(both.functionUrl?.invokeMode).toBe("RESPONSE_STREAM");
  });
});

describe("async: retries and maximum event age of Event invocations", () => {
  const load = (lambda: unknown) => {
    const root = workspace({ fn: fnPackage(lambda) });
    return loadFunction(join(root, "functions", "fn"));
  };
  const problemsOf = (lambda: unknown): string => {
    try {
      load(lambda);
    } catch (error) {
      if (error instanceof FunctionConfigError) return error.problems.join("\n");
      throw error;
    }
    throw new Error("expected the config to be refused");
  };

  it("fills Lambda's defaults when the config has no async block: 2 retries, 6 hours", () => {
    expect(load({}).async).toEqual({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600 });
    expect(load({ async: {} }).async).toEqual({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600 });
    expect(load({ async: { maximumRetryAttempts: 0 } }).async).toEqual({
      maximumRetryAttempts: 0,
      maximumEventAgeSeconds: 21600,
    });
  });

  it("accepts the bounds of each field", () => {
    expect(load({ async: { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 } }).async).toEqual({
      maximumRetryAttempts: 0,
      maximumEventAgeSeconds: 60,
    });
    expect(load({ async: { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21600 } }).async).toEqual({
      maximumRetryAttempts: 2,
      maximumEventAgeSeconds: 21600,
    });
  });

  it("refuses a value past either bound, naming the field and the allowed range", () => {
    for (const [maximumRetryAttempts, maximumEventAgeSeconds] of [
      [3, 59],
      [-1, 21601],
      [1.5, 120.5],
      ["2", "60"],
    ]) {
      const problems = problemsOf({ async: { maximumRetryAttempts, maximumEventAgeSeconds } });
      expect(problems).toContain("lambda.async.maximumRetryAttempts: must be a whole number from 0 to 2");
      expect(problems).toContain(
        "lambda.async.maximumEventAgeSeconds: must be a whole number of seconds from 60 to 21600",
      );
    }
  });

  it("refuses unknown fields, such as the CDK's names for these settings", () => {
    expect(problemsOf({ async: { retryAttempts: 1 } })).toMatch(/lambda\.async.*retryAttempts/);
  });
});

describe("discoverFunctions", () => {
  it("finds every folder with a lambda block, sorted, and skips other packages", () => {
    const root = workspace({
      zeta: fnPackage({}, "@example/zeta"),
      alpha: fnPackage({ name: "first" }, "@example/alpha"),
      helper: { name: "@example/helper", version: "1.0.0" },
    });
    expect(discoverFunctions(root).map((fn) => fn.name)).toEqual(["first", "zeta"]);
    expect(findFunction("zeta", root).packageName).toBe("@example/zeta");
    expect(() => findFunction("nope", root)).toThrow(
      'Unknown function "nope". Functions in this workspace: first, zeta.',
    );
  });

  it("fails when two functions claim one route or one name", () => {
    const root = workspace({
      a: fnPackage({ routes: ["GET /same"] }),
      b: fnPackage({ routes: ["GET /same"] }),
      c: fnPackage({ name: "a" }),
    });
    expect(() => discoverFunctions(root)).toThrow(/Route "GET \/same" is claimed by both "a" and "b"/);
    expect(() => discoverFunctions(root)).toThrow(/Two functions are named "a"/);
  });

  it("reads the real workspace, where hello owns its routes", () => {
    const root = findWorkspaceRoot();
    const hello = findFunction("hello", root);
    expect(hello.routes.map((r) => r.routeKey)).toEqual(["GET /hello", "GET /goodbye"]);
  });
});
