/**
 * End to end through the real engine (Runtime API + aws-lambda-ric processes): the write-up's curl request, the
 * AWS SDK against the Invoke API, and the HTTP API gateway in front of test functions. "hello" here is a fixture that
 * answers HTTP API events as the example function of that name does, so the write-up's own event file can drive it.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  InvokeCommand,
  type InvokeResponseStreamUpdate,
  InvokeWithResponseStreamCommand,
  type InvokeWithResponseStreamCompleteEvent,
  LambdaClient,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureFunction, removeFixtureFunctions } from "../test/support/fixture-function.js";
import { openGate } from "../test/support/gate.js";
import { decode, encode, rejection } from "../test/support/sdk.js";
import { addTestFunction, createTestWorkspace } from "../test/support/test-workspace.js";
import { LIMITS } from "./contract.js";
import type { HttpApiEventV2 } from "./front-doors/http-api/event.js";
import { type LocalStack, startStack } from "./stack.js";

const run = promisify(execFile);
// The write-up's event, as checked in beside the example function (a file read, no build; see turbo.json).
const writeUpEvent = readFileSync(
  new URL("../../../functions/hello/events/write-up-hello.json", import.meta.url),
  "utf8",
);
const hello = fixtureFunction("greeter", { name: "hello", routes: ["GET /hello"] });
const scratch = mkdtempSync(join(tmpdir(), "stack-test-"));

const root = createTestWorkspace();
const fixtures = [
  addTestFunction(root, {
    name: "boom",
    lambda: { routes: ["GET /boom"] },
    bundle: 'export const handler = async () => { throw new TypeError("boom on purpose"); };\n',
  }),
  addTestFunction(root, {
    name: "slow",
    lambda: { timeout: 1 },
    bundle:
      "export const handler = async (event) => {\n" +
      "  await new Promise((resolve) => setTimeout(resolve, event.ms ?? 0));\n" +
      "  return { slept: event.ms ?? 0 };\n};\n",
  }),
  addTestFunction(root, {
    name: "crash",
    bundle: "export const handler = async () => { process.exit(42); };\n",
  }),
  addTestFunction(root, {
    name: "chatty",
    bundle:
      "export const handler = async (event, context) => {\n" +
      '  console.log("marker:" + event.marker);\n' +
      "  return { requestId: context.awsRequestId, clientContext: context.clientContext ?? null };\n};\n",
  }),
  addTestFunction(root, {
    name: "writer",
    bundle:
      'import { writeFileSync } from "node:fs";\n' +
      "export const handler = async (event) => { writeFileSync(event.file, JSON.stringify(event)); return 1; };\n",
  }),
  addTestFunction(root, {
    name: "streamer",
    bundle:
      "export const handler = awslambda.streamifyResponse(async (event, responseStream) => {\n" +
      '  responseStream.setContentType("text/plain");\n' +
      "  for (let index = 0; index < 3; index++) {\n" +
      '    responseStream.write("chunk" + index + "|");\n' +
      '    if (event.gate) await (await fetch(event.gate + "/" + index)).text();\n' +
      "  }\n" +
      '  if (event.fail) throw new RangeError("stream failed on purpose");\n' +
      "  responseStream.end();\n});\n",
  }),
  addTestFunction(root, {
    name: "url-stream",
    lambda: { functionUrl: { invokeMode: "RESPONSE_STREAM", authType: "NONE" } },
    bundle:
      "export const handler = awslambda.streamifyResponse(async (event, responseStream) => {\n" +
      "  const stream = awslambda.HttpResponseStream.from(responseStream, {\n" +
      '    statusCode: 201, headers: { "content-type": "text/csv", "x-path": event.rawPath }, cookies: ["a=1"],\n' +
      "  });\n" +
      "  const gate = event.queryStringParameters?.gate;\n" +
      "  for (let row = 0; row < 3; row++) {\n" +
      '    stream.write("row" + row + "\\n");\n' +
      '    if (gate) await (await fetch(gate + "/" + row)).text();\n' +
      "  }\n" +
      "  stream.end();\n});\n",
  }),
  addTestFunction(root, {
    name: "held",
    // Waits at a test's gate (test/support/gate.ts) until the test lets it answer.
    bundle:
      "export const handler = async (event) => {\n" +
      '  await (await fetch(event.gate + "/" + event.step)).text();\n' +
      "  return event.step;\n};\n",
  }),
  addTestFunction(root, {
    name: "echo",
    lambda: { routes: ["ANY /echo/{proxy+}"] },
    bundle: "export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) });\n",
  }),
];

let stack: LocalStack;
let lambda: LambdaClient;
const logLines: string[] = [];

beforeAll(async () => {
  stack = await startStack({
    functions: [hello, ...fixtures],
    // The write-up's curl names no function: the one behind it is chosen here ("echo" comes first by name).
    defaultFunction: "hello",
    hostOptions: { runner: "ric", maxInstances: 2, maxQueue: 0, logSink: (line) => logLines.push(line) },
    invokePort: 0,
    httpPort: 0,
    functionUrlPort: 0,
    log: (line) => logLines.push(line),
  });
  lambda = new LambdaClient({
    endpoint: stack.invokeUrl,
    region: "eu-west-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  lambda?.destroy();
  await stack?.close();
  removeFixtureFunctions();
});

/** The write-up's request: `curl URL -d BODY` (a POST with curl's form content type), or fetch without curl. */
async function curlPost(
  url: string,
  body: string,
): Promise<{ status: number; headers: string; body: string }> {
  try {
    const { stdout } = await run("curl", ["-s", "-i", url, "-d", body]);
    const [head = "", text = ""] = stdout.split("\r\n\r\n");
    return { status: Number(head.split(" ")[1]), headers: head.toLowerCase(), body: text };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
    });
    const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join("\r\n");
    return { status: response.status, headers, body: await response.text() };
  }
}

describe("the write-up's curl request", () => {
  it("gets hello's greeting from /2015-03-31/functions/function/invocations", async () => {
    const result = await curlPost(
      `${stack.invokeUrl}/2015-03-31/functions/function/invocations`,
      writeUpEvent,
    );
    expect(result.status).toBe(200);
    expect(result.headers).toContain("x-amz-executed-version: $latest");
    expect(result.headers).not.toContain("x-amz-function-error");
    expect(JSON.parse(result.body)).toEqual({
      statusCode: 200,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "Hello, Chris!" }),
      isBase64Encoded: false,
    });
  });
});

describe("the AWS SDK against the local Invoke API", () => {
  it("invokes hello and gets the handler's answer", async () => {
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: "hello", Payload: Buffer.from(writeUpEvent) }),
    );
    expect(result.StatusCode).toBe(200);
    expect(result.ExecutedVersion).toBe("$LATEST");
    expect(result.FunctionError).toBeUndefined();
    expect(JSON.parse(decode(result.Payload).body)).toEqual({ message: "Hello, Chris!" });
  });

  it("reports a handler error as FunctionError Unhandled with the runtime's error payload", async () => {
    const result = await lambda.send(new InvokeCommand({ FunctionName: "boom", Payload: encode({}) }));
    expect(result.StatusCode).toBe(200);
    expect(result.FunctionError).toBe("Unhandled");
    expect(decode(result.Payload)).toMatchObject({ errorType: "TypeError", errorMessage: "boom on purpose" });
  });

  it("reports a timeout as FunctionError Unhandled", async () => {
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: "slow", Payload: encode({ ms: 3000 }) }),
    );
    expect(result.FunctionError).toBe("Unhandled");
    expect(JSON.stringify(decode(result.Payload))).toContain("Task timed out after 1.00 seconds");
  });

  it("reports a crashed runtime as FunctionError Unhandled, Runtime.ExitError", async () => {
    const result = await lambda.send(new InvokeCommand({ FunctionName: "crash", Payload: encode({}) }));
    expect(result.FunctionError).toBe("Unhandled");
    expect(decode(result.Payload)).toMatchObject({ errorType: "Runtime.ExitError" });
  });

  it("throws ResourceNotFoundException for an unknown function, naming the known ones", async () => {
    const error = await rejection(
      lambda.send(new InvokeCommand({ FunctionName: "nope", Payload: encode({}) })),
    );
    expect(error.name).toBe("ResourceNotFoundException");
    expect(error.message).toContain("function:nope");
    expect(error.message).toContain(
      "boom, chatty, crash, echo, held, hello, slow, streamer, url-stream, writer",
    );
  });

  it("throws RequestEntityTooLargeException over 6 MB and never runs the handler", async () => {
    const marker = `big-${Date.now()}`;
    const payload = encode({ marker, pad: "x".repeat(LIMITS.requestBytes) });
    const error = await rejection(
      lambda.send(new InvokeCommand({ FunctionName: "chatty", Payload: payload })),
    );
    expect(error.name).toBe("RequestEntityTooLargeException");
    expect(logLines.join("\n")).not.toContain(`marker:${marker}`);
  });

  it("throws InvalidRequestContentException for a payload that is not JSON", async () => {
    const error = await rejection(
      lambda.send(new InvokeCommand({ FunctionName: "hello", Payload: Buffer.from("name=Chris") })),
    );
    expect(error.name).toBe("InvalidRequestContentException");
    expect(error.message).toContain("Could not parse request body into json");
  });

  it("answers Event with 202 and runs the function afterwards", async () => {
    const file = join(scratch, "event.json");
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: "writer", InvocationType: "Event", Payload: encode({ file }) }),
    );
    expect(result.StatusCode).toBe(202);
    // settled(): every accepted Event invoke has run (or gone to the dead-letter record).
    await stack.settled();
    expect(existsSync(file)).toBe(true);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ file });
  });

  it("answers DryRun with 204 without running the function", async () => {
    const file = join(scratch, "dry-run.json");
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: "writer", InvocationType: "DryRun", Payload: encode({ file }) }),
    );
    expect(result.StatusCode).toBe(204);
    await stack.settled();
    expect(existsSync(file)).toBe(false);
  });

  it("returns the invoke's own log lines with LogType Tail", async () => {
    const marker = `tail-${Date.now()}`;
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: "chatty", LogType: "Tail", Payload: encode({ marker }) }),
    );
    const { requestId } = decode(result.Payload) as { requestId: string };
    const tail = Buffer.from(result.LogResult ?? "", "base64").toString("utf8");
    expect(tail).toContain(`marker:${marker}`);
    expect(tail).toContain(`START RequestId: ${requestId}`);
    expect(tail).toContain(`REPORT RequestId: ${requestId}`);
    expect(result.$metadata.requestId).toBe(requestId);
  });

  it("passes X-Amz-Client-Context to the handler's context.clientContext", async () => {
    const clientContext = { custom: { tenant: "t1" }, env: { locale: "en-GB" } };
    const result = await lambda.send(
      new InvokeCommand({
        FunctionName: "chatty",
        ClientContext: Buffer.from(JSON.stringify(clientContext)).toString("base64"),
        Payload: encode({ marker: "context" }),
      }),
    );
    expect(decode(result.Payload).clientContext).toMatchObject(clientContext);
  });

  it("throws TooManyRequestsException when every instance is busy and the queue is full", async () => {
    const gate = await openGate();
    try {
      const invoke = (step: string) =>
        lambda.send(new InvokeCommand({ FunctionName: "held", Payload: encode({ gate: gate.url, step }) }));
      // Both instances (maxInstances 2, maxQueue 0) are held at the gate while the third invoke arrives.
      const held = [invoke("a"), invoke("b")];
      await Promise.all([gate.reached("a"), gate.reached("b")]);
      expect((await rejection(invoke("c"))).name).toBe("TooManyRequestsException");
      gate.release("a");
      gate.release("b");
      expect((await Promise.all(held)).map((result) => decode(result.Payload))).toEqual(["a", "b"]);
      expect(gate.arrivals).not.toContain("c");
    } finally {
      await gate.close();
    }
  });
});

/** Reads an InvokeWithResponseStream event stream to its end. */
async function readEventStream(
  events:
    | AsyncIterable<{
        PayloadChunk?: InvokeResponseStreamUpdate;
        InvokeComplete?: InvokeWithResponseStreamCompleteEvent;
      }>
    | undefined,
) {
  const chunks: string[] = [];
  let complete: InvokeWithResponseStreamCompleteEvent | undefined;
  for await (const event of events ?? []) {
    if (event.PayloadChunk?.Payload) chunks.push(new TextDecoder().decode(event.PayloadChunk.Payload));
    if (event.InvokeComplete) complete = event.InvokeComplete;
  }
  return { chunks, complete };
}

describe("InvokeWithResponseStream through the AWS SDK", () => {
  it("delivers each of a streaming function's writes before the function may write the next, then InvokeComplete", async () => {
    const gate = await openGate();
    try {
      const result = await lambda.send(
        new InvokeWithResponseStreamCommand({
          FunctionName: "streamer",
          Payload: encode({ gate: gate.url }),
        }),
      );
      expect(result.StatusCode).toBe(200);
      expect(result.ExecutedVersion).toBe("$LATEST");
      expect(result.ResponseStreamContentType).toBe("text/plain");
      const events = result.EventStream?.[Symbol.asyncIterator]();
      if (events === undefined) throw new Error("no event stream");
      let received = "";
      for (const index of [0, 1, 2]) {
        // The function is held at the gate after this write until the caller has read it.
        await gate.reached(index);
        while (!received.endsWith(`chunk${index}|`)) {
          const next = await events.next();
          if (next.done || !next.value.PayloadChunk?.Payload)
            throw new Error(`stream ended before chunk ${index}`);
          received += new TextDecoder().decode(next.value.PayloadChunk.Payload);
        }
        expect(received).toBe(["chunk0|", "chunk1|", "chunk2|"].slice(0, index + 1).join(""));
        gate.release(index);
      }
      const rest = await readEventStream({ [Symbol.asyncIterator]: () => events });
      expect(rest.chunks).toEqual([]);
      expect(rest.complete).toBeDefined();
      expect(rest.complete?.ErrorCode).toBeUndefined();
    } finally {
      await gate.close();
    }
  });

  it("reports a mid-stream failure in InvokeComplete after the chunks written so far", async () => {
    const result = await lambda.send(
      new InvokeWithResponseStreamCommand({
        FunctionName: "streamer",
        LogType: "Tail",
        Payload: encode({ fail: true }),
      }),
    );
    const { chunks, complete } = await readEventStream(result.EventStream);
    expect(chunks.join("")).toBe("chunk0|chunk1|chunk2|");
    expect(complete?.ErrorCode).toBe("RangeError");
    expect(complete?.ErrorDetails).toContain("stream failed on purpose");
    expect(Buffer.from(complete?.LogResult ?? "", "base64").toString()).toContain("REPORT RequestId:");
  });

  it("streams a function that does not stream as one chunk holding its whole answer", async () => {
    const result = await lambda.send(
      new InvokeWithResponseStreamCommand({ FunctionName: "hello", Payload: Buffer.from(writeUpEvent) }),
    );
    const { chunks, complete } = await readEventStream(result.EventStream);
    expect(chunks).toHaveLength(1);
    expect(JSON.parse(JSON.parse(chunks.join("")).body)).toEqual({ message: "Hello, Chris!" });
    expect(complete?.ErrorCode).toBeUndefined();
  });

  it("reports a handler error of a function that does not stream in InvokeComplete", async () => {
    const result = await lambda.send(
      new InvokeWithResponseStreamCommand({ FunctionName: "boom", Payload: encode({}) }),
    );
    const { chunks, complete } = await readEventStream(result.EventStream);
    expect(chunks).toEqual([]);
    expect(complete?.ErrorCode).toBe("TypeError");
    expect(complete?.ErrorDetails).toContain("boom on purpose");
  });

  it("refuses the Event invocation type, which streaming does not have", async () => {
    const error = await rejection(
      lambda.send(
        new InvokeWithResponseStreamCommand({
          FunctionName: "hello",
          InvocationType: "Event" as "RequestResponse",
          Payload: encode({}),
        }),
      ),
    );
    expect(error.name).toBe("ValidationException");
  });
});

describe("the HTTP API gateway through the engine", () => {
  it("answers GET /hello?name=Chris with hello's greeting", async () => {
    const response = await fetch(`${stack.httpUrl}/hello?name=Chris`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ message: "Hello, Chris!" });
  });

  it("passes the function's own 400 on", async () => {
    const response = await fetch(`${stack.httpUrl}/hello`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toContain('"name" is required');
  });

  it("answers an unknown route with 404 Not Found", async () => {
    const response = await fetch(`${stack.httpUrl}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: "Not Found" });
  });

  it("hands the function the payload 2.0 event for the route it matched", async () => {
    const response = await fetch(`${stack.httpUrl}/echo/a/b?x=1&x=2`, {
      method: "PUT",
      headers: { "content-type": "application/json", cookie: "a=1; b=2" },
      body: '{"put":true}',
    });
    expect(response.status).toBe(200);
    const event = (await response.json()) as HttpApiEventV2;
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "ANY /echo/{proxy+}",
      rawPath: "/echo/a/b",
      rawQueryString: "x=1&x=2",
      cookies: ["a=1", "b=2"],
      queryStringParameters: { x: "1,2" },
      pathParameters: { proxy: "a/b" },
      body: '{"put":true}',
      isBase64Encoded: false,
      requestContext: { http: { method: "PUT", path: "/echo/a/b" }, stage: "$default" },
    });
    expect(response.headers.get("apigw-requestid")).toBe(event.requestContext.requestId);
  });

  it("answers 500 Internal Server Error when the function fails", async () => {
    const response = await fetch(`${stack.httpUrl}/boom`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: "Internal Server Error" });
  });
});

describe("a RESPONSE_STREAM Function URL through the engine", () => {
  it("streams the body as the function writes it, with the status, headers and cookies of its prelude", async () => {
    const url = stack.functionUrls.get("url-stream");
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(stack.functionUrls.has("hello")).toBe(false);
    const gate = await openGate();
    try {
      const response = await fetch(`${url}report.csv?gate=${encodeURIComponent(gate.url)}`);
      expect(response.status).toBe(201);
      expect(response.headers.get("content-type")).toBe("text/csv");
      expect(response.headers.get("x-path")).toBe("/report.csv");
      expect(response.headers.getSetCookie()).toEqual(["a=1"]);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      let received = "";
      for (const row of [0, 1, 2]) {
        // The function is held at the gate after writing this row until the client has read it.
        await gate.reached(row);
        while (!received.endsWith(`row${row}\n`)) {
          const read = await reader.read();
          if (read.done) throw new Error(`the body ended before row ${row}`);
          received += new TextDecoder().decode(read.value);
        }
        expect(received).toBe(["row0\n", "row1\n", "row2\n"].slice(0, row + 1).join(""));
        gate.release(row);
      }
      expect((await reader.read()).done).toBe(true);
    } finally {
      await gate.close();
    }
  });
});
