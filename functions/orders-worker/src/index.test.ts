import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  eventLoader,
  functionEnvironment,
  lambdaContext as makeLambdaContext,
  stubLogLevel,
} from "@lambda-images/vitest-config/lambda";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { afterEach, describe, expect, it, vi } from "vitest";

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const loadEvent: (file: string) => SQSEvent = eventLoader(import.meta.url);
const lambdaContext = (): Context =>
  makeLambdaContext({ functionName: "orders-worker", memoryLimitInMB: 256, timeoutSeconds: 30 });

/** The environment the function's config gives it (package.json "lambda.environment"), as Lambda would set it. */
const configEnvironment = functionEnvironment(import.meta.url);

function stubConfigEnvironment(): void {
  for (const [name, value] of Object.entries(configEnvironment)) vi.stubEnv(name, value);
}

/** Embedded Metric Format lines (metrics) have an `_aws` key; log lines do not. */
const isMetrics = (line: Record<string, unknown>): boolean => "_aws" in line;

/** Imports the handler afresh, so its module-level Logger reads the environment the test has set. */
async function freshHandler(): Promise<Handler> {
  vi.resetModules();
  const module: { handler: Handler } = await import("./index.js");
  return module.handler;
}

/** Powertools' Logger writes JSON lines straight to stdout and stderr: capture both, in order. */
function captureLogs(): () => Record<string, unknown>[] {
  const chunks: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, "write").mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    });
  }
  return () =>
    chunks
      .join("")
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("the checked-in events", () => {
  const files = readdirSync(new URL("../events/", import.meta.url)).filter((file) => file.endsWith(".json"));

  it("are SQS events as Lambda delivers them: md5OfBody matches each body, ids are unique", () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const { Records } = loadEvent(file);
      expect(Records.length, file).toBeGreaterThan(0);
      for (const record of Records) {
        expect(record.eventSource).toBe("aws:sqs");
        expect(record.eventSourceARN).toMatch(/^arn:aws:sqs:[a-z0-9-]+:\d{12}:[\w-]+$/);
        expect(record.md5OfBody, `${file} ${record.messageId}`).toBe(
          createHash("md5").update(record.body).digest("hex"),
        );
        expect(Number(record.attributes.ApproximateReceiveCount)).toBeGreaterThanOrEqual(1);
      }
      expect(new Set(Records.map((record) => record.messageId)).size).toBe(Records.length);
    }
  });
});

describe("handler", () => {
  it("reports no failures when every order is valid", async () => {
    const handler = await freshHandler();
    expect(await handler(loadEvent("batch-all-valid.json"), lambdaContext())).toEqual({
      batchItemFailures: [],
    });
  });

  it("reports exactly the records that are not valid orders, in batch order", async () => {
    const event = loadEvent("batch-partial-failure.json");
    const [first, truncated, wrongFields, last] = event.Records;
    const handler = await freshHandler();
    const response = await handler(event, lambdaContext());
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: truncated?.messageId },
      { itemIdentifier: wrongFields?.messageId },
    ]);
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    expect(failed.has(first?.messageId ?? "")).toBe(false);
    expect(failed.has(last?.messageId ?? "")).toBe(false);
  });

  it("throws when every record fails, so Lambda retries the whole batch", async () => {
    const handler = await freshHandler();
    await expect(handler(loadEvent("batch-all-invalid.json"), lambdaContext())).rejects.toMatchObject({
      name: "FullBatchFailureError",
      message: expect.stringMatching(/All records failed processing/),
    });
  });

  it("explains what it expected when the event is not an SQS event", async () => {
    const handler = await freshHandler();
    const notSqs = { version: "2.0", rawPath: "/orders" } as unknown as SQSEvent;
    await expect(handler(notSqs, lambdaContext())).rejects.toThrow(
      "Expected an SQS event with a Records array: this function is triggered by an SQS queue.",
    );
  });

  it("logs each accepted order with its total and each rejected record with the reason", async () => {
    stubConfigEnvironment();
    stubLogLevel("INFO");
    const handler = await freshHandler();
    const logs = captureLogs();
    const event = loadEvent("batch-partial-failure.json");
    const context = lambdaContext();
    await handler(event, context);
    const lines = logs().filter((line) => !isMetrics(line));
    const accepted = lines.filter((line) => line.message === "Order accepted");
    const rejected = lines.filter((line) => line.message === "Rejected record");
    expect(accepted.map((line) => line.messageId)).toEqual([
      event.Records[0]?.messageId,
      event.Records[3]?.messageId,
    ]);
    expect(accepted[0]).toMatchObject({
      level: "INFO",
      orderId: "ord_7Hq2Xk9P",
      currency: "EUR",
      units: 3,
      totalCents: 4900,
      receiveCount: "1",
      function_request_id: context.awsRequestId,
    });
    expect(rejected).toHaveLength(2);
    expect(rejected[0]).toMatchObject({
      level: "WARN",
      messageId: event.Records[1]?.messageId,
      receiveCount: "2",
      reason: expect.stringMatching(/^The message body is not JSON/),
    });
    expect(rejected[1]?.reason).toMatch(/currency: .*; items\.0\.quantity: /);
    expect(lines.at(-1)).toMatchObject({ message: "Batch done", records: 4, failed: 2 });
  });

  it("writes no log line at LOG_LEVEL=SILENT, the test default: only its metrics", async () => {
    stubLogLevel("SILENT");
    const handler = await freshHandler();
    const logs = captureLogs();
    await handler(loadEvent("batch-partial-failure.json"), lambdaContext());
    expect(logs().filter((line) => !isMetrics(line))).toEqual([]);
  });
});

describe("handler metrics", () => {
  const emf = (metrics: Record<string, number[] | number>) => ({
    _aws: {
      Timestamp: expect.any(Number),
      CloudWatchMetrics: [
        {
          Namespace: "LambdaImages",
          Dimensions: [["service"]],
          Metrics: Object.keys(metrics).map((name) => ({ Name: name, Unit: "Count" })),
        },
      ],
    },
    service: "orders-worker",
    ...metrics,
  });

  it("writes one Embedded Metric Format line per batch: orders accepted and rejected, under the config's namespace", async () => {
    expect(configEnvironment).toMatchObject({
      POWERTOOLS_METRICS_NAMESPACE: "LambdaImages",
      POWERTOOLS_SERVICE_NAME: "orders-worker",
    });
    stubConfigEnvironment();
    stubLogLevel("SILENT");
    const handler = await freshHandler();
    const logs = captureLogs();
    await handler(loadEvent("batch-partial-failure.json"), lambdaContext());
    await handler(loadEvent("batch-all-valid.json"), lambdaContext());
    await expect(handler(loadEvent("batch-all-invalid.json"), lambdaContext())).rejects.toMatchObject({
      name: "FullBatchFailureError",
    });
    const valid = loadEvent("batch-all-valid.json").Records.length;
    const invalid = loadEvent("batch-all-invalid.json").Records.length;
    // One value per record: CloudWatch adds them up (Sum) and counts them (SampleCount).
    expect(logs()).toEqual([
      emf({ ordersAccepted: [1, 1], ordersRejected: [1, 1] }),
      emf({ ordersAccepted: valid === 1 ? 1 : Array(valid).fill(1) }),
      emf({ ordersRejected: invalid === 1 ? 1 : Array(invalid).fill(1) }),
    ]);
  });
});

describe("the built bundle (dist/index.mjs)", () => {
  it("answers every event exactly as the source does", async () => {
    const bundle = fileURLToPath(new URL("../dist/index.mjs", import.meta.url));
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run pnpm build first`);
    const built: { handler: Handler } = await import(pathToFileURL(bundle).href);
    const source = await freshHandler();
    for (const file of ["batch-all-valid.json", "batch-partial-failure.json"]) {
      expect(await built.handler(loadEvent(file), lambdaContext()), file).toEqual(
        await source(loadEvent(file), lambdaContext()),
      );
    }
    await expect(built.handler(loadEvent("batch-all-invalid.json"), lambdaContext())).rejects.toMatchObject({
      name: "FullBatchFailureError",
    });
  });
});
