/**
 * The handler as Lambda runs it: the built bundle under the real aws-lambda-ric, which defines
 * awslambda.streamifyResponse and HttpResponseStream (they exist nowhere else: the RIC's module exports nothing),
 * talking to the local stack's Runtime API, which accepts the streamed response as a stream.
 */
import { readFileSync } from "node:fs";
import { type FunctionDefinition, loadFunction } from "@lambda-images/function-config";
import { createFunctionHost, type FunctionHost, type InvokeOutcome } from "@lambda-images/local-stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CSV_HEADER, parseReportRequest, reportChunks } from "./report.js";

type Response = Extract<InvokeOutcome, { kind: "response" }>;

interface HttpPrelude {
  statusCode: number;
  headers: Record<string, string>;
}

const HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
const PRELUDE_DELIMITER = Buffer.alloc(8);

function eventBytes(file: string): Buffer {
  return readFileSync(new URL(`../events/${file}`, import.meta.url));
}

/** Splits an HTTP integration response into its JSON prelude and the body after the 8 NUL bytes. */
function splitPrelude(bytes: Buffer): { prelude: HttpPrelude; body: Buffer } {
  const at = bytes.indexOf(PRELUDE_DELIMITER);
  if (at < 0) throw new Error(`no prelude delimiter in ${bytes.subarray(0, 200).toString()}`);
  return {
    prelude: JSON.parse(bytes.subarray(0, at).toString("utf8")) as HttpPrelude,
    body: bytes.subarray(at + PRELUDE_DELIMITER.length),
  };
}

function expectedReport(query: Record<string, string>): string {
  const parsed = parseReportRequest(query);
  if (!parsed.ok) throw new Error(parsed.error);
  return [...reportChunks(parsed.request)].join("");
}

let fn: FunctionDefinition;
let host: FunctionHost;
const logLines: string[] = [];

async function invoke(file: string, acceptStream = false): Promise<Response> {
  const outcome = await host.invoke({ payload: eventBytes(file), acceptStream });
  if (outcome.kind !== "response") throw new Error(`expected a response, got ${outcome.kind}`);
  return outcome;
}

beforeAll(() => {
  // These tests are about what the function answers and how much memory it holds, not about its timeout: it runs
  // with Lambda's longest one, so a busy machine streaming 55 MB slowly still gets the whole report.
  fn = { ...loadFunction(new URL("..", import.meta.url).pathname), timeout: 900 };
  host = createFunctionHost(fn, { runner: "ric", maxInstances: 1, logSink: (line) => logLines.push(line) });
});

afterAll(async () => {
  await host?.close();
});

describe("handler under the real Runtime Interface Client", () => {
  it("streams the CSV report with a 200 prelude: content type and file name", async () => {
    const outcome = await invoke("report-1000-rows.json");
    expect(outcome.functionError).toBeUndefined();
    expect(outcome.contentType).toBe(HTTP_INTEGRATION_CONTENT_TYPE);
    const { prelude, body } = splitPrelude(outcome.payload);
    expect(prelude).toEqual({
      statusCode: 200,
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": 'attachment; filename="sales-report-1000-rows-seed-42.csv"',
        "cache-control": "no-store",
      },
    });
    const text = body.toString("utf8");
    expect(text.startsWith(CSV_HEADER)).toBe(true);
    expect(text).toBe(expectedReport({ rows: "1000", seed: "42" }));
  });

  // 55 MB through the real RIC takes seconds on a quiet machine and much longer on a busy 2-core one: a budget of
  // five minutes, which no assertion depends on.
  it("streams the largest report (55 MB, past the 6 MB a buffered reply may carry) without holding it in memory", async () => {
    const baseline = await invoke("report-1000-rows.json");
    const outcome = await invoke("report-1000000-rows.json", true);
    const { stream, streamCompletion } = outcome;
    if (stream === undefined || streamCompletion === undefined)
      throw new Error("expected a streamed response");
    let completed = false;
    void streamCompletion.then(() => {
      completed = true;
    });
    const chunks: Buffer[] = [];
    let completedAtFirstChunk: boolean | undefined;
    stream.on("data", (chunk: Buffer) => {
      completedAtFirstChunk ??= completed;
      chunks.push(chunk);
    });
    const ended = new Promise<void>((resolve) => stream.once("end", () => resolve()));
    const completion = await streamCompletion;
    await ended;
    expect(completion.errorType).toBeUndefined();
    expect(completedAtFirstChunk).toBe(false);
    const { prelude, body } = splitPrelude(Buffer.concat(chunks));
    expect(prelude.statusCode).toBe(200);
    expect(body.length).toBeGreaterThan(6 * 1024 * 1024 + 100);
    expect(body.toString("utf8")).toBe(expectedReport({ rows: "1000000" }));
    // A handler that built the report first and sent it in one piece would grow by at least the report's size
    // (about 550 MB here, with its copies); one that streams grows by a fraction of it.
    const reportMb = body.length / (1024 * 1024);
    const grewMb = completion.report.maxMemoryUsedMb - baseline.report.maxMemoryUsedMb;
    expect(grewMb, `peak memory grew by ${grewMb} MB for a ${reportMb.toFixed(1)} MB report`).toBeLessThan(
      reportMb,
    );
  }, 300_000);

  it("answers 400 with the reason when rows is not a number", async () => {
    const { prelude, body } = splitPrelude((await invoke("report-bad-rows.json")).payload);
    expect(prelude).toEqual({ statusCode: 400, headers: { "content-type": "application/json" } });
    expect(JSON.parse(body.toString("utf8"))).toEqual({
      message: 'Query parameter "rows" must be a whole number from 1 to 1000000, not "ten".',
    });
  });

  it("answers 405 with an Allow header to anything but GET", async () => {
    const { prelude, body } = splitPrelude((await invoke("post-report.json")).payload);
    expect(prelude).toEqual({
      statusCode: 405,
      headers: { "content-type": "application/json", allow: "GET" },
    });
    expect(JSON.parse(body.toString("utf8"))).toEqual({
      message: "The report only answers GET requests, not POST.",
    });
  });

  it("answers 400 to an event that is not a Function URL event", async () => {
    const outcome = await host.invoke({ payload: Buffer.from(JSON.stringify({ Records: [] })) });
    if (outcome.kind !== "response") throw new Error(outcome.kind);
    const { prelude, body } = splitPrelude(outcome.payload);
    expect(prelude.statusCode).toBe(400);
    expect(JSON.parse(body.toString("utf8")).message).toMatch(/^Expected a Lambda Function URL/);
  });

  it("logs each report it streamed, as structured JSON with the request id", async () => {
    const outcome = await invoke("report-1000-rows.json");
    const line = logLines.find(
      (entry) => entry.includes('"Report streamed"') && entry.includes(outcome.requestId),
    );
    expect(line).toBeDefined();
    const json = JSON.parse(String(line).slice(String(line).indexOf("{"))) as Record<string, unknown>;
    expect(json).toMatchObject({
      level: "INFO",
      service: "report-stream",
      rows: 1000,
      seed: 42,
      function_request_id: outcome.requestId,
    });
  });
});

describe("handler metrics", () => {
  it("writes the rows it streamed as an Embedded Metric Format line, under the namespace and service of its config", async () => {
    expect(fn.environment).toMatchObject({
      POWERTOOLS_METRICS_NAMESPACE: "LambdaImages",
      POWERTOOLS_SERVICE_NAME: "report-stream",
    });
    const before = logLines.length;
    const outcome = await invoke("report-1000-rows.json");
    await invoke("report-bad-rows.json");
    expect(splitPrelude(outcome.payload).prelude.statusCode).toBe(200);
    const emf = logLines
      .slice(before)
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line.slice(line.indexOf("{"))) as Record<string, unknown>);
    expect(emf).toEqual([
      {
        _aws: {
          Timestamp: expect.any(Number),
          CloudWatchMetrics: [
            {
              Namespace: "LambdaImages",
              Dimensions: [["service"]],
              Metrics: [{ Name: "rowsStreamed", Unit: "Count" }],
            },
          ],
        },
        service: "report-stream",
        rowsStreamed: 1000,
      },
    ]);
  });
});

describe("the bundle outside a Lambda runtime", () => {
  it("loads, and its handler says what is missing when called", async () => {
    const built: { handler: (...args: unknown[]) => unknown } = await import(
      new URL("../dist/index.mjs", import.meta.url).href
    );
    expect(typeof built.handler).toBe("function");
    expect(() => built.handler({}, {}, {})).toThrow(
      /awslambda\.streamifyResponse is not defined: .*must run in the Lambda Node\.js runtime or under aws-lambda-ric/,
    );
  });
});
