import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  eventLoader,
  functionEnvironment,
  lambdaContext as makeLambdaContext,
  stubLogLevel,
} from "@lambda-images/vitest-config/lambda";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const loadEvent: (file: string) => APIGatewayProxyEventV2 = eventLoader(import.meta.url);
const lambdaContext = (): Context =>
  makeLambdaContext({ functionName: "hello", memoryLimitInMB: 256, timeoutSeconds: 5 });

/** The environment the function's config gives it (package.json "lambda.environment"), as Lambda would set it. */
const configEnvironment = functionEnvironment(import.meta.url);

function stubConfigEnvironment(): void {
  for (const [name, value] of Object.entries(configEnvironment)) vi.stubEnv(name, value);
}

/** Imports the handler afresh, so its module-level Logger reads the environment the test has set. */
async function freshHandler(): Promise<Handler> {
  vi.resetModules();
  const module: { handler: Handler } = await import("./index.js");
  return module.handler;
}

/**
 * Captures what the handler writes to a stream, one entry per line. Powertools' Logger writes there directly:
 * stdout up to WARN, stderr for ERROR and CRITICAL (Lambda collects both).
 */
function captureOutput(stream: NodeJS.WriteStream = process.stdout): { lines: () => string[] } {
  const chunks: string[] = [];
  vi.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  });
  return {
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter((line) => line.length > 0),
  };
}

function jsonLines(lines: string[]): Record<string, unknown>[] {
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Embedded Metric Format lines (metrics) have an `_aws` key; log lines do not. */
const isMetrics = (line: Record<string, unknown>): boolean => "_aws" in line;

/** What every reply must look like: JSON, one human-readable message, no stack trace. */
function expectJsonReply(
  reply: APIGatewayProxyStructuredResultV2,
  statusCode: number,
  headers: Record<string, string> = {},
): string {
  expect(reply.statusCode).toBe(statusCode);
  expect(reply.headers).toEqual({ "content-type": "application/json", ...headers });
  expect(typeof reply.body).toBe("string");
  const body = JSON.parse(reply.body ?? "") as unknown;
  expect(body).toEqual({ message: expect.any(String) });
  const { message } = body as { message: string };
  expect(message).not.toMatch(/\n\s+at |\.(ts|js|mjs):\d+/);
  return message;
}

const FIXTURES: readonly {
  file: string;
  status: number;
  message: string | RegExp;
  headers?: Record<string, string>;
}[] = [
  { file: "hello.json", status: 200, message: "Hello, Chris!" },
  { file: "goodbye.json", status: 200, message: "Goodbye, Ada Lovelace!" },
  {
    file: "hello-missing-name.json",
    status: 400,
    message: 'Query parameter "name" is required, for example /hello?name=Chris.',
  },
  {
    file: "hello-name-too-long.json",
    status: 400,
    message: 'Query parameter "name" is 65 characters long; the limit is 64.',
  },
  {
    file: "post-hello.json",
    status: 405,
    message: "/hello only answers GET requests, not POST.",
    headers: { allow: "GET" },
  },
  {
    file: "unknown-route.json",
    status: 404,
    message: "No route for /hola. Try /hello?name=Chris or /goodbye?name=Chris.",
  },
];

function withMethod(event: APIGatewayProxyEventV2, method: string): APIGatewayProxyEventV2 {
  return {
    ...event,
    routeKey: "$default",
    requestContext: { ...event.requestContext, http: { ...event.requestContext.http, method } },
  };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("handler with the checked-in events", () => {
  it("answers the write-up's sparse event (no headers, requestId or time) with 200 Hello, Chris", async () => {
    const event = loadEvent("write-up-hello.json");
    expect(event.headers).toBeUndefined();
    expect(event.requestContext).not.toHaveProperty("requestId");
    const handler = await freshHandler();
    const message = expectJsonReply(await handler(event, lambdaContext()), 200);
    expect(message).toBe("Hello, Chris!");
  });

  for (const { file, status, message, headers } of FIXTURES) {
    it(`answers events/${file} with ${status}`, async () => {
      const handler = await freshHandler();
      expect(expectJsonReply(await handler(loadEvent(file), lambdaContext()), status, headers)).toEqual(
        message,
      );
    });
  }

  it("answers 405 with Allow: GET to every other method on both paths", async () => {
    const handler = await freshHandler();
    for (const file of ["hello.json", "goodbye.json"]) {
      for (const method of ["POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]) {
        const event = withMethod(loadEvent(file), method);
        const message = expectJsonReply(await handler(event, lambdaContext()), 405, { allow: "GET" });
        expect(message).toBe(`${event.rawPath} only answers GET requests, not ${method}.`);
      }
    }
  });

  it("answers 404 to a path below a route and to any method on an unknown path", async () => {
    const handler = await freshHandler();
    const below = { ...loadEvent("hello.json"), rawPath: "/hello/there" };
    expect(expectJsonReply(await handler(below, lambdaContext()), 404)).toBe(
      "No route for /hello/there. Try /hello?name=Chris or /goodbye?name=Chris.",
    );
    const postUnknown = withMethod(loadEvent("unknown-route.json"), "POST");
    expect(expectJsonReply(await handler(postUnknown, lambdaContext()), 404)).toMatch(
      /^No route for \/hola\./,
    );
  });

  it("throws, saying what it expected, when the event is not an HTTP API event", async () => {
    const handler = await freshHandler();
    const notHttp = {
      Records: [{ eventSource: "aws:sqs", body: "hi" }],
    } as unknown as APIGatewayProxyEventV2;
    await expect(handler(notHttp, lambdaContext())).rejects.toThrow(
      /^Expected an API Gateway HTTP API \(payload format 2\.0\) event with version, routeKey, rawPath/,
    );
  });

  it("answers 500 without details when something unexpected fails, and logs the error", async () => {
    stubLogLevel("ERROR");
    const handler = await freshHandler();
    const event = loadEvent("hello.json");
    event.queryStringParameters = new Proxy(
      {},
      {
        get(target, key) {
          if (key === "name") throw new TypeError("query string exploded");
          return Reflect.get(target, key);
        },
      },
    );
    const stdout = captureOutput(process.stdout);
    const stderr = captureOutput(process.stderr);
    const reply = await handler(event, lambdaContext());
    expect(expectJsonReply(reply, 500)).toBe("Internal Server Error");
    expect(reply.body).not.toContain("exploded");
    expect(stdout.lines()).toEqual([]);
    const [log] = jsonLines(stderr.lines());
    expect(log).toMatchObject({
      level: "ERROR",
      message: "Unexpected failure",
      error: { name: "TypeError", message: "query string exploded" },
    });
  });
});

describe("handler logs", () => {
  it("writes structured JSON with the Lambda context fields when the log level allows it", async () => {
    const traceId = "Root=1-6b0d3e96-5b3f1e7a9c2d4b6e8f0a1c3d;Parent=53995c3f42cd8ad8;Sampled=1";
    stubConfigEnvironment();
    stubLogLevel("INFO");
    vi.stubEnv("_X_AMZN_TRACE_ID", traceId);
    const handler = await freshHandler();
    const stdout = captureOutput();
    const first = lambdaContext();
    const second = lambdaContext();
    await handler(loadEvent("hello.json"), first);
    await handler(loadEvent("post-hello.json"), second);

    const logs = jsonLines(stdout.lines()).filter((line) => !isMetrics(line));
    expect(logs).toHaveLength(2);
    const contextFields = (context: Context) => ({
      function_name: context.functionName,
      function_arn: context.invokedFunctionArn,
      function_memory_size: context.memoryLimitInMB,
      function_request_id: context.awsRequestId,
    });
    expect(logs[0]).toMatchObject({
      level: "INFO",
      message: "Greeted",
      service: "hello",
      cold_start: true,
      xray_trace_id: "1-6b0d3e96-5b3f1e7a9c2d4b6e8f0a1c3d",
      method: "GET",
      path: "/hello",
      ...contextFields(first),
    });
    expect(Date.parse(String(logs[0]?.timestamp))).not.toBeNaN();
    expect(logs[1]).toMatchObject({
      level: "INFO",
      message: "Rejected request",
      cold_start: false,
      method: "POST",
      path: "/hello",
      status: 405,
      reason: "/hello only answers GET requests, not POST.",
      ...contextFields(second),
    });
  });

  it("writes no log line at LOG_LEVEL=SILENT, the test default: only its metrics", async () => {
    stubLogLevel("SILENT");
    const handler = await freshHandler();
    const stdout = captureOutput();
    expectJsonReply(await handler(loadEvent("hello.json"), lambdaContext()), 200);
    expect(jsonLines(stdout.lines()).filter((line) => !isMetrics(line))).toEqual([]);
  });
});

describe("handler metrics", () => {
  it("writes one Embedded Metric Format line per greeting, under the namespace and service of its config", async () => {
    expect(configEnvironment).toMatchObject({
      POWERTOOLS_METRICS_NAMESPACE: "LambdaImages",
      POWERTOOLS_SERVICE_NAME: "hello",
    });
    stubConfigEnvironment();
    stubLogLevel("SILENT");
    const handler = await freshHandler();
    const stdout = captureOutput();
    await handler(loadEvent("hello.json"), lambdaContext());
    await handler(loadEvent("goodbye.json"), lambdaContext());
    await handler(loadEvent("hello-missing-name.json"), lambdaContext());
    await handler(loadEvent("post-hello.json"), lambdaContext());

    const emf = jsonLines(stdout.lines());
    expect(emf.every(isMetrics)).toBe(true);
    expect(emf).toHaveLength(2);
    for (const [index, greeting] of ["hello", "goodbye"].entries()) {
      expect(emf[index]).toEqual({
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            {
              Namespace: "LambdaImages",
              Dimensions: [["service", "greeting"]],
              Metrics: [{ Name: "greetings", Unit: "Count" }],
            },
          ],
        },
        service: "hello",
        greeting,
        greetings: 1,
      });
    }
  });
});

describe("the built bundle (dist/index.mjs)", () => {
  it("answers every event exactly as the source does", async () => {
    const bundle = fileURLToPath(new URL("../dist/index.mjs", import.meta.url));
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run pnpm build first`);
    const built: { handler: Handler } = await import(pathToFileURL(bundle).href);
    const source = await freshHandler();
    for (const file of ["write-up-hello.json", ...FIXTURES.map((fixture) => fixture.file)]) {
      const expected = await source(loadEvent(file), lambdaContext());
      expect(await built.handler(loadEvent(file), lambdaContext()), file).toEqual(expected);
    }
  });
});
