/**
 * The Invoke API's wire behaviour, checked with the real AWS SDK client (and plain fetch for what the SDK cannot
 * send). The functions behind it are in-process hosts: this is about the front door, not the engine; the
 * end-to-end tests in ../stack.test.ts go through the real engine.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInProcessHost, type InProcessHost } from "../../../test/support/in-process-host.js";
import { decode, encode, rejection } from "../../../test/support/sdk.js";
import { addTestFunction, createTestWorkspace } from "../../../test/support/test-workspace.js";
import { LIMITS } from "../../contract.js";
import { DeadLetterStore } from "./dead-letters.js";
import { createInvokeApi, type InvokeApi } from "./server.js";

const root = createTestWorkspace();
const echo = createInProcessHost(addTestFunction(root, { name: "echo" }), (event) => ({ received: event }));
const boom = createInProcessHost(addTestFunction(root, { name: "boom" }), () => {
  throw new TypeError("the handler failed on purpose");
});
const busy = createInProcessHost(addTestFunction(root, { name: "busy" }), () => "never");
busy.throttle(true);
const deadLetterDir = join(root, ".local", "dead-letters");

let server: Server;
let api: InvokeApi;
let endpoint: string;
let lambda: LambdaClient;
const logLines: string[] = [];

beforeAll(async () => {
  api = createInvokeApi({
    hosts: new Map<string, InProcessHost>([
      ["echo", echo],
      ["boom", boom],
      ["busy", busy],
    ]),
    defaultFunction: "echo",
    region: "eu-west-1",
    accountId: "012345678912",
    log: (line) => logLines.push(line),
    asyncInvoke: { deadLetterDir, retryDelayMs: 0 },
  });
  server = createServer(api.listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  lambda = new LambdaClient({
    endpoint,
    region: "eu-west-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  lambda.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("Invoke API through the AWS SDK", () => {
  it("invokes a function by name and returns its result with Lambda's headers", async () => {
    const before = echo.requests.length;
    const result = await lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: encode({ a: 1 }) }));
    expect(result.StatusCode).toBe(200);
    expect(result.ExecutedVersion).toBe("$LATEST");
    expect(result.FunctionError).toBeUndefined();
    expect(decode(result.Payload)).toEqual({ received: { a: 1 } });
    expect(echo.requests[before]?.payload.toString()).toBe('{"a":1}');
    expect(result.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("accepts a full ARN with a qualifier, a partial ARN and ?Qualifier=$LATEST", async () => {
    for (const FunctionName of [
      "arn:aws:lambda:eu-west-1:012345678912:function:echo:$LATEST",
      "012345678912:function:echo",
    ]) {
      const result = await lambda.send(
        new InvokeCommand({ FunctionName, Payload: encode({ via: FunctionName }) }),
      );
      expect(decode(result.Payload)).toEqual({ received: { via: FunctionName } });
    }
    const qualified = await lambda.send(
      new InvokeCommand({ FunctionName: "echo", Qualifier: "$LATEST", Payload: encode({ q: 1 }) }),
    );
    expect(decode(qualified.Payload)).toEqual({ received: { q: 1 } });
  });

  it("flags a handler error with FunctionError Unhandled and passes the error payload on", async () => {
    const result = await lambda.send(new InvokeCommand({ FunctionName: "boom", Payload: encode({}) }));
    expect(result.StatusCode).toBe(200);
    expect(result.FunctionError).toBe("Unhandled");
    expect(decode(result.Payload)).toEqual({
      errorType: "TypeError",
      errorMessage: "the handler failed on purpose",
    });
  });

  it("throws ResourceNotFoundException naming the functions there are", async () => {
    const error = await rejection(
      lambda.send(new InvokeCommand({ FunctionName: "nope", Payload: encode({}) })),
    );
    expect(error.name).toBe("ResourceNotFoundException");
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(error.message).toBe(
      "Function not found: arn:aws:lambda:eu-west-1:012345678912:function:nope. " +
        "Functions in this local stack: boom, busy, echo.",
    );
  });

  it("throws ResourceNotFoundException for a version or alias other than $LATEST", async () => {
    const error = await rejection(
      lambda.send(new InvokeCommand({ FunctionName: "echo", Qualifier: "prod", Payload: encode({}) })),
    );
    expect(error.name).toBe("ResourceNotFoundException");
    expect(error.message).toContain("function:echo:prod");
    expect(error.message).toContain("$LATEST");
  });

  it("throws RequestEntityTooLargeException over 6 MB without running the handler", async () => {
    const before = echo.requests.length;
    const payload = Buffer.from(JSON.stringify({ big: "x".repeat(LIMITS.requestBytes) }));
    const error = await rejection(lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: payload })));
    expect(error.name).toBe("RequestEntityTooLargeException");
    expect(error.$metadata?.httpStatusCode).toBe(413);
    expect(error.message).toBe("Request must be smaller than 6291456 bytes for the InvokeFunction operation");
    expect(echo.requests.length).toBe(before);
  });

  it("accepts a payload of exactly 6 MB", async () => {
    const padding = LIMITS.requestBytes - JSON.stringify({ p: "" }).length;
    const payload = Buffer.from(JSON.stringify({ p: "y".repeat(padding) }));
    expect(payload.length).toBe(LIMITS.requestBytes);
    const result = await lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: payload }));
    expect(result.StatusCode).toBe(200);
  });

  it("throws InvalidRequestContentException for a body that is not JSON", async () => {
    const error = await rejection(
      lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: Buffer.from("{not json") })),
    );
    expect(error.name).toBe("InvalidRequestContentException");
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toMatch(
      /^Could not parse request body into json: Could not parse payload into json: /,
    );
  });

  it("answers an Event invoke with 202 at once and runs the function in the background", async () => {
    const before = echo.requests.length;
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: "echo", InvocationType: "Event", Payload: encode({ async: true }) }),
    );
    expect(result.StatusCode).toBe(202);
    expect(result.Payload?.length ?? 0).toBe(0);
    await api.settled();
    expect(echo.requests[before]?.payload.toString()).toBe('{"async":true}');
  });

  it("accepts an Event payload of exactly 1 MB (1,048,576 bytes) and refuses one byte more with 413", async () => {
    const sized = (bytes: number) => {
      const padding = bytes - JSON.stringify({ p: "" }).length;
      return Buffer.from(JSON.stringify({ p: "y".repeat(padding) }));
    };
    const before = echo.requests.length;
    const limit = sized(1_048_576);
    expect(limit.length).toBe(1_048_576);
    const accepted = await lambda.send(
      new InvokeCommand({ FunctionName: "echo", InvocationType: "Event", Payload: limit }),
    );
    expect(accepted.StatusCode).toBe(202);
    await api.settled();
    expect(echo.requests[before]?.payload.length).toBe(1_048_576);

    const over = sized(1_048_577);
    const error = await rejection(
      lambda.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "Event", Payload: over })),
    );
    expect(error.name).toBe("RequestEntityTooLargeException");
    expect(error.$metadata?.httpStatusCode).toBe(413);
    expect(error.message).toBe(
      "1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)",
    );
    await api.settled();
    expect(echo.requests.length).toBe(before + 1);
  });

  it("gives the function the request ID of the 202 and runs an Event invoke again after a function error", async () => {
    const before = boom.requests.length;
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: "boom", InvocationType: "Event", Payload: encode({ n: 1 }) }),
    );
    expect(result.StatusCode).toBe(202);
    await api.settled();
    // boom always fails: Lambda's default of 2 retries makes 3 attempts, all with the request ID the caller got.
    const attempts = boom.requests.slice(before);
    expect(attempts.map((request) => request.requestId)).toEqual(Array(3).fill(result.$metadata.requestId));
    const { records } = new DeadLetterStore(deadLetterDir).read("boom");
    expect(records.map((record) => [record.requestId, record.reason])).toEqual([
      [result.$metadata.requestId, "retries-exhausted"],
    ]);
  });

  it("answers DryRun with 204 and does not run the function", async () => {
    const before = echo.requests.length;
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: "echo", InvocationType: "DryRun", Payload: encode({}) }),
    );
    expect(result.StatusCode).toBe(204);
    await api.settled();
    expect(echo.requests.length).toBe(before);
  });

  it("returns the invoke's log tail, base64, with LogType Tail", async () => {
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: "echo", LogType: "Tail", Payload: encode({}) }),
    );
    const tail = Buffer.from(result.LogResult ?? "", "base64").toString("utf8");
    expect(tail).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/);
    expect(tail).toContain("REPORT RequestId:");
    const plain = await lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: encode({}) }));
    expect(plain.LogResult).toBeUndefined();
  });

  it("passes the client context on decoded", async () => {
    const context = { client: { installation_id: "abc" }, custom: { tenant: "t1" } };
    const before = echo.requests.length;
    await lambda.send(
      new InvokeCommand({
        FunctionName: "echo",
        ClientContext: Buffer.from(JSON.stringify(context)).toString("base64"),
        Payload: encode({}),
      }),
    );
    expect(JSON.parse(echo.requests[before]?.clientContext ?? "null")).toEqual(context);
  });

  it("throws TooManyRequestsException when the host is throttled", async () => {
    const error = await rejection(
      lambda.send(new InvokeCommand({ FunctionName: "busy", Payload: encode({}) })),
    );
    expect(error.name).toBe("TooManyRequestsException");
    expect(error.$metadata?.httpStatusCode).toBe(429);
    expect((error as Error & { Reason?: string }).Reason).toBe("ConcurrentInvocationLimitExceeded");
  });
});

describe("Invoke API over plain HTTP", () => {
  const invocations = (name: string) => `${endpoint}/2015-03-31/functions/${name}/invocations`;

  it("serves the default function under the RIE's path, so the write-up's curl works verbatim", async () => {
    const response = await fetch(invocations("function"), { method: "POST", body: '{"version":"2.0"}' });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-amz-executed-version")).toBe("$LATEST");
    expect(response.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    expect(await response.json()).toEqual({ received: { version: "2.0" } });
  });

  it("treats an empty body as {}", async () => {
    const before = echo.requests.length;
    const response = await fetch(invocations("echo"), { method: "POST" });
    expect(response.status).toBe(200);
    expect(echo.requests[before]?.payload.toString()).toBe("{}");
  });

  it("answers bad base64 in X-Amz-Client-Context with 400, not a dropped connection", async () => {
    const response = await fetch(invocations("echo"), {
      method: "POST",
      headers: { "X-Amz-Client-Context": "%%%not-base64" },
      body: "{}",
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toBe("InvalidRequestContentException");
    const body = (await response.json()) as { Type: string; message: string };
    expect(body.Type).toBe("User");
    expect(body.message).toContain("Client context must be a valid Base64-encoded JSON object");
  });

  it("rejects a client context that decodes to something other than a JSON object", async () => {
    const response = await fetch(invocations("echo"), {
      method: "POST",
      headers: { "X-Amz-Client-Context": Buffer.from("[1,2]").toString("base64") },
      body: "{}",
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toContain("not an object");
  });

  it("rejects a client context whose bytes are not UTF-8", async () => {
    const latin1 = Buffer.from('{"word":"caf\u00e9"}', "latin1");
    const response = await fetch(invocations("echo"), {
      method: "POST",
      headers: { "X-Amz-Client-Context": latin1.toString("base64") },
      body: "{}",
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toBe("InvalidRequestContentException");
    expect(((await response.json()) as { message: string }).message).toContain("not UTF-8");
  });

  it("rejects an unknown invocation type with a ValidationException that lists the valid ones", async () => {
    const response = await fetch(invocations("echo"), {
      method: "POST",
      headers: { "X-Amz-Invocation-Type": "Later" },
      body: "{}",
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toBe("ValidationException");
    expect(((await response.json()) as { message: string }).message).toContain(
      "[RequestResponse, Event, DryRun]",
    );
  });

  it("answers other paths and methods with UnknownOperationException explaining the endpoint", async () => {
    const response = await fetch(`${endpoint}/2015-03-31/functions/echo/invocations`, { method: "GET" });
    expect(response.status).toBe(404);
    expect(response.headers.get("x-amzn-errortype")).toBe("UnknownOperationException");
    expect(((await response.json()) as { message: string }).message).toContain(
      "POST /2015-03-31/functions/{FunctionName}/invocations",
    );
  });

  it("answers a malformed function name with 400 ValidationException, as Lambda does, not 404", async () => {
    const before = echo.requests.length;
    for (const name of ["..%2Fecho", "a".repeat(1000), "%ZZ", "echo%20x", "echo:"]) {
      const response = await fetch(invocations(name), { method: "POST", body: "{}" });
      expect(response.status, name).toBe(400);
      expect(response.headers.get("x-amzn-errortype")).toBe("ValidationException");
      const { message } = (await response.json()) as { message: string };
      expect(message).toMatch(/^1 validation error detected: Value '.*' at 'functionName' failed to satisfy/);
    }
    expect(echo.requests.length).toBe(before);
  });

  it("answers an ARN of another account or region with 404, without invoking the local function", async () => {
    const before = echo.requests.length;
    for (const arn of [
      "arn:aws:lambda:eu-west-1:999999999999:function:echo",
      "arn:aws:lambda:us-west-2:012345678912:function:echo",
      "999999999999:function:echo",
    ]) {
      const error = await rejection(
        lambda.send(new InvokeCommand({ FunctionName: arn, Payload: encode({}) })),
      );
      expect(error.name, arn).toBe("ResourceNotFoundException");
      expect(error.message).toContain(`Function not found: ${arn.startsWith("arn:") ? arn : ""}`);
      expect(error.message).toContain("account 012345678912 in eu-west-1");
    }
    expect(echo.requests.length).toBe(before);
  });

  it("treats an empty ?Qualifier= as no qualifier and invokes $LATEST (the pattern (|[a-zA-Z0-9$_-]+) allows it)", async () => {
    const response = await fetch(`${invocations("echo")}?Qualifier=`, { method: "POST", body: '{"q":""}' });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-amz-executed-version")).toBe("$LATEST");
    expect(await response.json()).toEqual({ received: { q: "" } });
  });

  it("answers a qualifier outside Lambda's pattern with 400 ValidationException", async () => {
    const response = await fetch(`${invocations("echo")}?Qualifier=a%2Fb`, { method: "POST", body: "{}" });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toBe("ValidationException");
    expect(((await response.json()) as { message: string }).message).toContain("at 'qualifier'");
  });

  it("logs one line per invoke", () => {
    expect(logLines.some((line) => /^\[invoke\] echo 200 \d+\.\d ms$/.test(line))).toBe(true);
    expect(logLines.some((line) => line.startsWith("[invoke] boom 200 Unhandled TypeError"))).toBe(true);
  });
});
